"""Survey answers from any tool → ``survey.response`` events (pure: no I/O, no clock).

The documented body (docs/sources.md) is one JSON object, or an array of them::

    {"contact_id": "1795503610.2", "csat": 4, "nps": 9, "ces": 2, "fcr": true,
     "responded_at": "2026-11-24T09:14:03+01:00", "response_id": "typeform-8f3a"}

``contact_id`` is the id the contact has in Floorboard (an Asterisk uniqueid, a Chatwoot
conversation id, …) so the answer is attributed to the contact it rates.
"""

from __future__ import annotations

import datetime as dt
from hashlib import blake2b
from typing import Any

import orjson

from floorboard.events.model import SurveyResponse
from floorboard.sources.outcome import Mapped, rejected

MAX_ITEMS = 1000
RANGES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
FIELDS = frozenset({"contact_id", "csat", "nps", "ces", "fcr", "responded_at", "response_id"})


def map_body(raw: bytes, site: str, received_ms: int) -> list[tuple[Mapped, bytes]]:
    """One result per answer in the body, each with its bytes (the element's, re-serialized, in
    an array); one rejection when the body itself is unreadable."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return [(rejected("malformed_json", f"body is not valid JSON: {exc}"), raw)]
    if not isinstance(doc, list):
        return [(map_answer(doc, site, received_ms), raw)]
    if len(doc) > MAX_ITEMS:
        return [(rejected("too_many", f"{len(doc)} answers in one body, at most {MAX_ITEMS}"), raw)]
    return [(map_answer(item, site, received_ms), orjson.dumps(item)) for item in doc]


def map_answer(item: Any, site: str, received_ms: int) -> Mapped:
    if not isinstance(item, dict):
        return rejected(
            "not_an_object", f"an answer must be a JSON object, not {type(item).__name__}"
        )
    unknown = sorted(set(item) - FIELDS)
    if unknown:
        return rejected("unknown_field", f"{unknown[0]}: unknown field")
    contact_id = item.get("contact_id")
    if not isinstance(contact_id, str) or not 1 <= len(contact_id) <= 128:
        return rejected("invalid", "contact_id: required string of 1-128 characters")
    answers: dict[str, Any] = {}
    for name, (low, high) in RANGES.items():
        value = item.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return rejected("invalid", f"{name}: expected an integer {low}-{high}, got {value!r}")
        answers[name] = value
    fcr = item.get("fcr")
    if fcr is not None:
        if not isinstance(fcr, bool):
            return rejected("invalid", f"fcr: expected true or false, got {fcr!r}")
        answers["fcr"] = fcr
    if not answers:
        return rejected("invalid", "csat/nps/ces/fcr: at least one answer is required")
    ts = _time(item.get("responded_at"), received_ms)
    if isinstance(ts, str):
        return rejected("invalid", ts)
    given = item.get("response_id")
    if given is not None and (not isinstance(given, str) or not 1 <= len(given) <= 100):
        return rejected("invalid", "response_id: a string of 1-100 characters")
    if given is None:
        # Without the tool's own id, the answer itself: a re-posted answer is a duplicate.
        key = orjson.dumps([contact_id, ts, answers], option=orjson.OPT_SORT_KEYS)
        given = blake2b(key, digest_size=10).hexdigest()
    event = SurveyResponse(
        v=1, id=f"srv-{given}", ts=ts, site=site, contact_id=contact_id, **answers
    )
    return Mapped("mapped", "answer", [event])


def _time(value: Any, received_ms: int) -> int | str:
    """Epoch ms, or the error message."""
    if value is None:
        return received_ms
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 32503680000000:
        return value
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return int(parsed.timestamp() * 1000)
    return "responded_at: RFC 3339 with an offset, or epoch milliseconds"
