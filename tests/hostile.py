"""Hypothesis strategies for hostile records: what a careless or broken producer could send.

Deep nesting, huge, negative and non-finite numbers, far-future and far-past times, oversized
strings and batches, bytes that are not UTF-8, and arbitrary JSON, mixed with good events.
"""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import strategies as st

from floorboard.events.codec import encode
from tests.factory import T0, contact, event

YEAR_2999_MS = 32_472_144_000_000

_json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
    st.text(max_size=20),
)  # fmt: skip
json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_numbers = st.one_of(
    st.integers(-(2**80), 2**80), st.sampled_from([1e17, -1.0, 1e308, -1e308, 0.0, 2**63, 2**64]),
)  # fmt: skip
_FIELDS = ("ts", "wait_s", "talk_s", "hold_s", "score", "max_score", "items_passed", "respondents")


def _good_bodies() -> list[dict[str, Any]]:
    bodies = [msgspec.json.decode(encode(e)) for e in contact("h1", T0, wait_s=5, talk_s=60)]
    bodies.append(msgspec.json.decode(encode(
        event("qa.evaluation", T0, contact_id="h1", score=8, max_score=10, items_passed=3)
    )))  # fmt: skip
    bodies.append(msgspec.json.decode(encode(
        event("team.pulse", T0, team="red", metric="sick_leave_rate", value=0.1, respondents=9)
    )))  # fmt: skip
    return bodies


GOOD_BODIES = _good_bodies()


@st.composite
def mutated_event(draw: st.DrawFn) -> bytes:
    """A good event with one field made hostile."""
    body = dict(draw(st.sampled_from(GOOD_BODIES)))
    body["id"] = draw(st.text(min_size=1, max_size=12)) + "-" + str(draw(st.integers(0, 10**6)))
    kind = draw(st.sampled_from(["number", "time", "string", "nest", "none"]))
    if kind == "number":
        body[draw(st.sampled_from(_FIELDS))] = draw(_numbers)
    elif kind == "time":
        body["ts"] = draw(st.sampled_from([YEAR_2999_MS, 0, -1, T0 + 10**9, 10**18]))
    elif kind == "string":
        body[draw(st.sampled_from(["id", "site", "team", "queue"]))] = "x" * draw(
            st.integers(100, 5000)
        )
    elif kind == "nest":
        depth = draw(st.integers(1, 400))
        body["extra"] = msgspec.json.decode(b"[" * depth + b"]" * depth)
    raw = msgspec.json.encode(body)
    if draw(st.booleans()):  # numbers beyond a float, which no encoder writes
        raw = raw.replace(b'"wait_s":5', b'"wait_s":1e400').replace(b":8,", b":-1e999,")
    return raw


@st.composite
def deep(draw: st.DrawFn) -> bytes:
    depth = draw(st.integers(1, 3000))
    opener = draw(st.sampled_from([b"[", b'{"a":']))
    closer = b"]" if opener == b"[" else b"}"
    return opener * depth + (closer * depth if draw(st.booleans()) else b"")


hostile_record = st.one_of(
    mutated_event(),
    deep(),
    st.binary(max_size=200),  # mostly not UTF-8 and not JSON
    json_values.map(msgspec.json.encode),
    st.integers(0, 3000).map(lambda n: b"[" + b",".join([b"0"] * n) + b"]"),
    st.just(b"[]"),
)
good_record = st.sampled_from(GOOD_BODIES).map(msgspec.json.encode)
# A record: one event, a hostile record, or a batch of both.
any_record = st.one_of(
    good_record,
    hostile_record,
    st.lists(st.one_of(good_record, mutated_event()), max_size=6).map(
        lambda items: b"[" + b",".join(items) + b"]"
    ),
)
