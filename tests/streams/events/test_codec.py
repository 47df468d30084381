"""Decoding: every rejection names the event, the field and the rule; good events survive."""

from __future__ import annotations

import orjson
import pytest

from streams.events.codec import Rejected, decode_event, decode_record, encode, encode_batch
from streams.events.model import ContactAnswered, partition_key
from tests.factory import T0, contact, event

GOOD = {
    "v": 1, "id": "e1", "type": "contact.answered", "ts": T0, "site": "oslo",
    "contact_id": "c1", "queue": "billing", "channel": "voice", "agent": "a", "team": "t",
    "wait_s": 12.5,
}  # fmt: skip


def reject(body: object) -> tuple[str, str]:
    result = decode_event(orjson.dumps(body))
    assert isinstance(result, Rejected), result
    return result.reason, result.message


def test_good_event_round_trips() -> None:
    ev = decode_event(orjson.dumps(GOOD))
    assert isinstance(ev, ContactAnswered)
    assert ev.wait_s == 12.5
    assert decode_event(encode(ev)) == ev


@pytest.mark.parametrize(
    ("change", "reason", "message"),
    [
        ({"ts": "2026-11-23T08:00:00Z"}, "invalid",
         "event e1 (contact.answered): ts: must be integer epoch milliseconds (UTC); "
         "RFC 3339 strings are not accepted"),
        ({"wait_s": None}, "invalid", "event e1 (contact.answered): wait_s: expected `float`, got `null`"),
        ({"wait_s": -1}, "invalid", "event e1 (contact.answered): wait_s: expected `float` >= 0.0"),
        ({"channel": "fax"}, "invalid", "event e1 (contact.answered): channel: invalid enum value 'fax'"),
        ({"extra": 1}, "invalid", "event e1 (contact.answered): extra: unknown field"),
        ({"type": "contact.teleported"}, "unknown_type",
         "event e1 (contact.teleported): type: unknown event type 'contact.teleported'"),
        ({"v": 2}, "unsupported_version",
         "event e1 (contact.answered): v: schema version must be 1, got 2"),
        ({"type": None}, "invalid", "event e1 (<no type>): type: required string"),
    ],
)  # fmt: skip
def test_rejections_name_event_field_and_rule(
    change: dict[str, object], reason: str, message: str
) -> None:
    assert reject({**GOOD, **change}) == (reason, message)


def test_missing_field_is_named() -> None:
    body = {k: v for k, v in GOOD.items() if k != "team"}
    assert reject(body) == (
        "invalid",
        "event e1 (contact.answered): team: required field is missing",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "survey.response", "contact_id": "c"}, "csat/nps/fcr/ces: at least one answer is required"),
        ({"type": "survey.response", "contact_id": "c", "csat": 6}, "csat: expected `int` <= 5"),
        ({"type": "agent.state", "agent": "a", "team": "t", "state": "not_ready"},
         "reason: required when state is not_ready"),
        ({"type": "qa.evaluation", "contact_id": "c", "score": 11, "max_score": 10},
         "score: must not exceed max_score"),
        ({"type": "contact.first_response", "contact_id": "c", "queue": "q", "channel": "voice",
          "agent": "a", "team": "t", "received_ts": T0}, "channel: first_response is only for email and messaging"),
        ({"type": "team.pulse", "team": "t", "metric": "sick_leave_rate", "value": 1.5},
         "value: sick_leave_rate must be within 0..1"),
    ],
)  # fmt: skip
def test_domain_rules(body: dict[str, object], message: str) -> None:
    full = {"v": 1, "id": "x9", "ts": T0, "site": "oslo", **body}
    reason, text = reject(full)
    assert reason == "invalid"
    assert text == f"event x9 ({body['type']}): {message}"


def test_malformed_and_non_object_records() -> None:
    events, bad = decode_record(b"{not json")
    assert events == [] and bad[0].reason == "malformed_json"
    events, bad = decode_record(b"42")
    assert bad[0].reason == "not_an_object"


def test_batch_keeps_good_events_around_a_bad_one() -> None:
    good = contact("c1", T0, wait_s=3)
    raw = orjson.dumps(
        [orjson.loads(encode(good[0])), {"v": 1, "id": "bad"}, orjson.loads(encode(good[1]))]
    )
    events, bad = decode_record(raw)
    assert events == good
    assert [(r.reason, r.event_id) for r in bad] == [("invalid", "bad")]
    assert orjson.loads(bad[0].raw) == {"v": 1, "id": "bad"}


def test_batch_round_trip_and_partition_keys() -> None:
    evs = [
        *contact("c1", T0, wait_s=3),
        event("agent.state", T0, agent="a", team="red", state="ready"),
    ]
    events, bad = decode_record(encode_batch(evs))
    assert events == evs and bad == []
    assert partition_key(evs[0]) == "oslo/contact/c1"
    assert partition_key(evs[-1]) == "oslo/team/red"
