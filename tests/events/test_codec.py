"""Decoding: every rejection names the event, its type, the field and the rule; good events
survive, alone or next to bad ones in a batch."""

from __future__ import annotations

from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import given, settings

from floorboard.events.codec import (
    EXCERPT_BYTES,
    REJECT_REASONS,
    Limits,
    Rejected,
    decode_event,
    decode_record,
    encode,
    encode_batch,
    nesting_depth,
)
from floorboard.events.model import ContactAnswered, Event, partition_key
from tests.engine.strategies import centre_events
from tests.factory import T0, contact, event

GOOD: dict[str, Any] = {
    "v": 1, "id": "e1", "type": "contact.answered", "ts": T0, "site": "oslo",
    "contact_id": "c1", "queue": "billing", "channel": "voice", "agent": "a", "team": "t",
    "wait_s": 12.5,
}  # fmt: skip
WHO = "event e1 (contact.answered)"


def reject(body: object) -> Rejected:
    result = decode_event(orjson.dumps(body))
    assert isinstance(result, Rejected), result
    return result


def test_good_event_round_trips() -> None:
    ev = decode_event(orjson.dumps(GOOD))
    assert isinstance(ev, ContactAnswered)
    assert ev.wait_s == 12.5
    assert decode_event(encode(ev)) == ev


@settings(max_examples=30, deadline=None)
@given(centre_events())
def test_every_event_type_round_trips_alone_and_in_a_batch(events: list[Event]) -> None:
    for ev in events:
        assert decode_event(encode(ev)) == ev
    assert decode_record(encode_batch(events)) == (events, [])


@pytest.mark.parametrize(
    ("change", "reason", "message"),
    [
        # ts: integer epoch milliseconds only
        ({"ts": "2026-11-23T08:00:00Z"}, "invalid",
         f"{WHO}: ts: must be integer epoch milliseconds (UTC); RFC 3339 strings are not accepted"),
        ({"ts": "2026-11-23T09:00:00+01:00"}, "invalid",
         f"{WHO}: ts: must be integer epoch milliseconds (UTC); RFC 3339 strings are not accepted"),
        ({"ts": 1795420800000.5}, "invalid", f"{WHO}: ts: expected `int`, got `float`"),
        ({"ts": -1}, "out_of_range", f"{WHO}: ts: expected `int` >= 0"),
        ({"ts": 10**15}, "out_of_range", f"{WHO}: ts: expected `int` <= 32503680000000"),
        ({"ts": None}, "invalid", f"{WHO}: ts: expected `int`, got `null`"),
        # other fields, by type and by constraint
        ({"wait_s": None}, "invalid", f"{WHO}: wait_s: expected `float`, got `null`"),
        ({"wait_s": "12"}, "invalid", f"{WHO}: wait_s: expected `float`, got `str`"),
        ({"wait_s": -1}, "out_of_range", f"{WHO}: wait_s: expected `float` >= 0.0"),
        ({"wait_s": 8 * 86400}, "out_of_range", f"{WHO}: wait_s: expected `float` <= 604800.0"),
        ({"channel": "fax"}, "invalid", f"{WHO}: channel: invalid enum value 'fax'"),
        ({"queue": ""}, "invalid", f"{WHO}: queue: expected `str` of length >= 1"),
        ({"agent": 7}, "invalid", f"{WHO}: agent: expected `str`, got `int`"),
        ({"extra": 1}, "invalid", f"{WHO}: extra: unknown field"),
        ({"id": 5}, "invalid", "event <no id> (contact.answered): id: expected `str`, got `int`"),
        # type and version
        ({"type": "contact.teleported"}, "unknown_type",
         "event e1 (contact.teleported): type: unknown event type 'contact.teleported'"),
        ({"type": None}, "invalid", "event e1 (<no type>): type: required string"),
        ({"v": 2}, "unsupported_version", f"{WHO}: v: schema version must be 1, got 2"),
        ({"v": "1"}, "unsupported_version", f"{WHO}: v: schema version must be 1, got '1'"),
    ],
)  # fmt: skip
def test_rejections_name_event_field_and_rule(
    change: dict[str, object], reason: str, message: str
) -> None:
    rejected = reject({**GOOD, **change})
    assert (rejected.reason, rejected.message) == (reason, message)
    assert rejected.raw == orjson.dumps({**GOOD, **change})


@pytest.mark.parametrize("missing", ["ts", "site", "team", "wait_s", "contact_id"])
def test_missing_field_is_named(missing: str) -> None:
    rejected = reject({k: v for k, v in GOOD.items() if k != missing})
    assert (rejected.reason, rejected.message) == (
        "invalid", f"{WHO}: {missing}: required field is missing",
    )  # fmt: skip
    assert (rejected.event_id, rejected.event_type) == ("e1", "contact.answered")


def test_missing_version_is_unsupported() -> None:
    rejected = reject({k: v for k, v in GOOD.items() if k != "v"})
    assert (rejected.reason, rejected.message) == (
        "unsupported_version", f"{WHO}: v: schema version must be 1, got None",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "survey.response", "contact_id": "c"}, "csat/nps/fcr/ces: at least one answer is required"),
        ({"type": "survey.response", "contact_id": "c", "fcr": "yes"}, "fcr: expected `bool | null`, got `str`"),
        ({"type": "agent.state", "agent": "a", "team": "t", "state": "not_ready"},
         "reason: required when state is not_ready"),
        ({"type": "agent.state", "agent": "a", "team": "t", "state": "ready", "reason": "x"},
         "reason: only allowed when state is not_ready"),
        ({"type": "agent.state", "agent": "a", "team": "t", "state": "asleep"},
         "state: invalid enum value 'asleep'"),
        ({"type": "agent.state", "agent": "a", "team": "t", "state": "ready", "queues": [1]},
         "queues[0]: expected `str`, got `int`"),
        ({"type": "qa.evaluation", "contact_id": "c", "score": 11, "max_score": 10},
         "score: must not exceed max_score"),
        ({"type": "contact.first_response", "contact_id": "c", "queue": "q", "channel": "voice",
          "agent": "a", "team": "t", "received_ts": T0}, "channel: first_response is only for email and messaging"),
        ({"type": "contact.resolved", "contact_id": "c", "queue": "q", "channel": "chat",
          "agent": "a", "team": "t", "received_ts": T0}, "channel: resolved is only for email and messaging"),
        ({"type": "contact.first_response", "contact_id": "c", "queue": "q", "channel": "email",
          "agent": "a", "team": "t", "received_ts": T0 + 1}, "received_ts: must not be after ts"),
        ({"type": "team.pulse", "team": "t", "metric": "mood", "value": 3},
         "metric: invalid enum value 'mood'"),
    ],
)  # fmt: skip
def test_domain_rules(body: dict[str, object], message: str) -> None:
    full = {"v": 1, "id": "x9", "ts": T0, "site": "oslo", **body}
    rejected = reject(full)
    assert rejected.reason == "invalid", rejected.message
    assert rejected.message == f"event x9 ({body['type']}): {message}"
    assert (rejected.event_id, rejected.event_type) == ("x9", body["type"])


QA = {"type": "qa.evaluation", "contact_id": "c", "score": 1, "max_score": 10}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "survey.response", "contact_id": "c", "csat": 6}, "csat: expected `int` <= 5"),
        ({"type": "survey.response", "contact_id": "c", "nps": 11}, "nps: expected `int` <= 10"),
        ({"type": "survey.response", "contact_id": "c", "ces": 0}, "ces: expected `int` >= 1"),
        ({"type": "qa.evaluation", "contact_id": "c", "score": 1, "max_score": 0},
         "max_score: expected `float` > 0.0"),
        ({"type": "team.pulse", "team": "t", "metric": "sick_leave_rate", "value": 1.5},
         "value: sick_leave_rate must be within 0..1"),
        ({"type": "team.pulse", "team": "t", "metric": "work_environment", "value": 0.5},
         "value: work_environment must be within 1..5"),
        # issue 12, row 3: numbers that overflowed the checkpoint's 64-bit integers
        ({**QA, "max_score": 1e17}, "max_score: expected `float` <= 1000000.0"),
        ({**QA, "items_passed": 10**30}, "items_passed: expected `int` <= 10000"),
        ({**QA, "items_failed": 10**5}, "items_failed: expected `int` <= 10000"),
        ({"type": "team.pulse", "team": "t", "metric": "sick_leave_rate", "value": 0.1,
          "respondents": 10**19}, "respondents: expected `int` <= 1000000"),
    ],
)  # fmt: skip
def test_numbers_outside_their_range(body: dict[str, object], message: str) -> None:
    full = {"v": 1, "id": "x9", "ts": T0, "site": "oslo", **body}
    rejected = decode_event(msgspec.json.encode(full))  # orjson cannot write 10**30
    assert isinstance(rejected, Rejected)
    assert (rejected.reason, rejected.message) == (
        "out_of_range", f"event x9 ({body['type']}): {message}",
    )  # fmt: skip
    # the same verdict alone and inside a batch, next to a good event and a bad one
    good = orjson.loads(encode(contact("c9", T0)[0]))
    events, bad = decode_record(msgspec.json.encode([good, full, 7]))
    assert len(events) == 1
    assert [(r.reason, r.message) for r in bad[:1]] == [(rejected.reason, rejected.message)]


def test_numbers_too_large_for_a_float_are_out_of_range() -> None:
    body = orjson.dumps({"v": 1, "id": "x9", "ts": T0, "site": "oslo", **QA})
    rejected = decode_event(body.replace(b'"score":1', b'"score":1e400'))
    assert isinstance(rejected, Rejected)
    assert rejected.reason == "out_of_range"
    assert rejected.message.endswith("score: expected `float` <= 1000000.0")


HOSTILE: list[tuple[str, bytes, str, int]] = [
    # issue 12, row 1: crashed the slow path re-encoding the elements
    ("brackets", b"[" * 256 + b"]" * 256, "too_deep", 1),
    # row 2: RecursionError out of msgspec
    ("open objects", b'{"a":' * 1000, "too_deep", 1),
    ("deep inside an event", orjson.dumps({**GOOD, "x": [[[[[[[[[[1]]]]]]]]]]}), "too_deep", 1),
    # row 7: one dead letter per element, 2 GB of them
    ("500k elements", b"[" + b"0," * 499_999 + b"0]", "too_large", 500_000),
    ("over the byte limit", b'{"pad":"' + b"x" * 1_048_576 + b'"}', "too_large", 1),
    # row 10: an array of non-objects is one bad record
    ("array of numbers", b"[1,2,3]", "not_an_object", 1),
]


@pytest.mark.parametrize(("raw", "reason", "count"), [h[1:] for h in HOSTILE],
                         ids=[h[0] for h in HOSTILE])  # fmt: skip
def test_hostile_records_are_one_rejection_each(raw: bytes, reason: str, count: int) -> None:
    events, bad = decode_record(raw)
    assert events == []
    assert [(r.reason, r.count) for r in bad] == [(reason, count)]
    assert len(bad[0].raw) <= EXCERPT_BYTES  # never the whole oversized record again


def test_limits_are_configurable() -> None:
    batch = encode_batch([*contact("c1", T0, wait_s=3), *contact("c2", T0, wait_s=4)])
    small = Limits(max_record_bytes=len(batch) - 1)
    assert [r.reason for r in decode_record(batch, small)[1]] == ["too_large"]
    few = Limits(max_batch_events=3)
    assert [(r.reason, r.count) for r in decode_record(batch, few)[1]] == [("too_large", 4)]
    # a bad neighbour sends the batch down the slow path: the verdict does not change
    worse = batch[:-1] + b",7]"
    assert [(r.reason, r.count) for r in decode_record(worse, few)[1]] == [("too_large", 5)]
    shallow = Limits(max_depth=3)
    nested = orjson.dumps([{**GOOD, "x": {"y": [1]}}])
    assert [r.reason for r in decode_record(nested, shallow)[1]] == ["too_deep"]
    # brackets inside strings are not nesting
    text = orjson.dumps({**GOOD, "id": "[[[[[[[[[[[[{{{{{{{{"})
    assert isinstance(decode_event(text, shallow), ContactAnswered)


def test_string_lengths_can_be_tightened_with_the_same_verdict_alone_or_in_a_batch() -> None:
    long_team = {**GOOD, "id": "e2", "team": "t" * 33}
    state = {"v": 1, "id": "e3", "type": "agent.state", "ts": T0, "site": "oslo", "agent": "a",
             "team": "t", "state": "ready", "queues": ["billing", "q" * 40]}  # fmt: skip
    batch = orjson.dumps([GOOD, long_team, state])
    assert len(decode_record(batch)[0]) == 3  # the schema's own cap is 128
    tight = Limits(max_name_length=32)
    good, bad = decode_record(batch, tight)
    assert [e.id for e in good] == ["e1"]
    assert [(r.reason, r.event_id, r.message) for r in bad] == [
        ("invalid", "e2", "event e2 (contact.answered): team: 33 characters, "
                          "over limits.max_name_length=32"),
        ("invalid", "e3", "event e3 (agent.state): queues: 40 characters, "
                          "over limits.max_name_length=32"),
    ]  # fmt: skip
    alone = decode_event(orjson.dumps(long_team), tight)
    assert isinstance(alone, Rejected) and alone.message == bad[0].message
    # a bad neighbour sends the batch down the slow path: the verdicts do not change
    worse = decode_record(batch[:-1] + b",7]", tight)[1]
    assert [r for r in worse if r.reason == "invalid"] == bad
    ids = Limits(max_id_length=1)
    assert [r.message.split(": ", 1)[1] for r in decode_record(orjson.dumps(GOOD), ids)[1]] == [
        "id: 2 characters, over limits.max_id_length=1"
    ]


def test_nesting_depth_skips_strings_and_stops_early() -> None:
    assert nesting_depth(b'[{"a": "]]]", "b": [1, "\\"["]}]', 10) == 3
    assert nesting_depth(b"[" * 10_000, 5) == 6


def test_malformed_and_non_object_records() -> None:
    events, bad = decode_record(b"{not json")
    assert events == [] and bad[0].reason == "malformed_json"
    assert bad[0].message.startswith("record is not valid JSON: ")
    events, bad = decode_record(b"42")
    assert (bad[0].reason, bad[0].message) == (
        "not_an_object",
        "event must be a JSON object, got int",
    )
    events, bad = decode_record(b"")
    assert (events, [(r.reason, r.raw) for r in bad]) == ([], [("malformed_json", b"")])
    assert decode_record(b"[]") == ([], [])  # an empty batch: nothing to reject


def test_every_codec_reason_is_reachable() -> None:
    bodies: list[bytes] = [
        b"{", b"[1]", orjson.dumps({**GOOD, "type": "x.y"}), orjson.dumps({**GOOD, "v": 3}),
        orjson.dumps({**GOOD, "wait_s": -5}), orjson.dumps({**GOOD, "agent": None}),
        b"[" * 9 + b"]" * 9, b"[" + b"1," * 10_000 + b"1]",
    ]  # fmt: skip
    reasons = {bad.reason for raw in bodies for bad in decode_record(raw)[1]}
    # too_late and from_future are the engine's, for events the codec accepted
    assert reasons == set(REJECT_REASONS) - {"too_late", "from_future"}


def test_batch_keeps_good_events_around_a_bad_one() -> None:
    good = contact("c1", T0, wait_s=3)
    rfc = {**orjson.loads(encode(good[0])), "id": "rfc", "ts": "2026-11-23T08:00:00Z"}
    raw = orjson.dumps([
        orjson.loads(encode(good[0])), {"v": 1, "id": "bad"}, rfc, 7, orjson.loads(encode(good[1])),
    ])  # fmt: skip
    events, bad = decode_record(raw)
    assert events == good
    assert [(r.reason, r.event_id) for r in bad] == [
        ("invalid", "bad"), ("invalid", "rfc"), ("not_an_object", None),
    ]  # fmt: skip
    assert "RFC 3339 strings are not accepted" in bad[1].message
    # each rejection carries its own element, not the whole batch, for the dead-letter topic
    assert orjson.loads(bad[0].raw) == {"v": 1, "id": "bad"}
    assert bad[2].raw == b"7"


def test_batch_round_trip_and_partition_keys() -> None:
    evs = [
        *contact("c1", T0, wait_s=3),
        event("agent.state", T0, agent="a", team="red", state="ready"),
        event("team.pulse", T0, team="red", metric="employee_satisfaction", value=4.0),
        event("survey.response", T0, contact_id="c1", csat=4),
    ]
    events, bad = decode_record(encode_batch(evs))
    assert events == evs and bad == []
    # a survey meets its contact's partition; agents and pulse go by team
    assert [partition_key(e) for e in evs] == [
        "oslo/contact/c1", "oslo/contact/c1", "oslo/team/red", "oslo/team/red", "oslo/contact/c1",
    ]  # fmt: skip
