"""Chatwoot webhooks: the documentation's samples through the mapping, signatures, the receiver."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import msgspec
import orjson
from aiohttp.test_utils import TestClient, TestServer

from floorboard.events.codec import encode
from floorboard.sources.chatwoot import ChatwootMapper, ChatwootOptions, signature_verifier
from floorboard.sources.output import IngestCounts, JsonlOutput
from floorboard.sources.receiver import build_app

SAMPLES = Path(__file__).parent / "fixtures" / "chatwoot"
OPTIONS = ChatwootOptions("oslo", queues={1: "support"}, teams={"cw-user-1": "red"})


def sample(name: str, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads((SAMPLES / f"{name}.json").read_bytes())
    doc.update(changes)
    return doc


def events(mapper: ChatwootMapper, doc: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
    result = mapper.map_event(doc)
    return result.outcome, result.reason, [msgspec.json.decode(encode(e)) for e in result.events]


def created() -> dict[str, Any]:
    # The conversation object of the samples, as conversation_created carries it.
    return sample("conversation_status_changed", event="conversation_created")


def outgoing(created_at: str) -> dict[str, Any]:
    return sample(
        "message_created", message_type="outgoing", created_at=created_at,
        sender={"id": 1, "name": "John", "type": "user"},
    )  # fmt: skip


WHERE = {"v": 1, "site": "oslo", "contact_id": "cw-10", "queue": "support", "channel": "messaging"}


def test_a_conversation_from_creation_to_resolution() -> None:
    m = ChatwootMapper(OPTIONS)
    assert events(m, created()) == ("mapped", "conversation_created", [
        {**WHERE, "type": "contact.offered", "id": "cw-10-o", "ts": 1627063369000}
    ])  # fmt: skip
    # The sample message is the customer's: no KPI.
    assert events(m, sample("message_created")) == ("ignored", "no_kpi", [])
    assert events(m, outgoing("2021-07-23T18:05:00.000Z")) == ("mapped", "first_response", [
        {**WHERE, "type": "contact.first_response", "id": "cw-10-f", "ts": 1627063500000,
         "agent": "cw-user-1", "team": "red", "received_ts": 1627063369000}
    ])  # fmt: skip
    assert events(m, outgoing("2021-07-23T18:06:00.000Z"))[:2] == ("ignored", "not_first_response")
    assert events(m, sample("conversation_resolved", status="resolved")) == ("mapped", "resolved", [
        {**WHERE, "type": "contact.resolved", "id": "cw-10-r1627063520000", "ts": 1627063520000,
         "agent": "cw-user-1", "team": "red", "received_ts": 1627063369000}
    ])  # fmt: skip
    assert m.open == {}


def test_the_other_samples_carry_no_kpi() -> None:
    m = ChatwootMapper(OPTIONS)
    # The status sample is "open", conversation_opened is deprecated, the others carry no figure.
    for name in ("conversation_status_changed", "conversation_opened", "message_updated",
                 "webwidget_triggered"):  # fmt: skip
        assert events(m, sample(name))[:2] == ("ignored", "no_kpi"), name
    assert events(m, {"event": "contact_created"})[:2] == ("ignored", "unknown_event")
    # A reply in a conversation created before the receiver started: counted, not guessed.
    assert events(m, outgoing("2021-07-23T18:05:00.000Z"))[:2] == (
        "ignored",
        "unknown_conversation",
    )


def test_a_csat_answer_is_attributed_to_its_conversation() -> None:
    answered = sample(
        "message_updated", content_type="input_csat", updated_at="2021-07-23T18:10:00.000Z",
        content_attributes={"submitted_values": {"csat_survey_response": {"rating": 4}}},
    )  # fmt: skip
    assert events(ChatwootMapper(OPTIONS), answered) == ("mapped", "csat", [
        {"type": "survey.response", "v": 1, "id": "cw-csat-118", "ts": 1627063800000,
         "site": "oslo", "contact_id": "cw-10", "csat": 4, "nps": None, "fcr": None,
         "ces": None}
    ])  # fmt: skip
    answered["content_attributes"]["submitted_values"]["csat_survey_response"]["rating"] = 9
    assert events(ChatwootMapper(OPTIONS), answered)[:2] == ("rejected", "invalid")


def test_bad_bodies_are_rejected() -> None:
    m = ChatwootMapper(OPTIONS)
    assert [r.reason for r, _ in m.map_body(b"{oops", 0)] == ["malformed_json"]
    assert [r.reason for r, _ in m.map_body(b"[1]", 0)] == ["not_an_object"]
    broken = orjson.dumps({"event": "conversation_created", "id": "ten", "inbox_id": 1})
    [(result, raw)] = m.map_body(broken, 0)
    assert (result.outcome, result.reason, raw) == ("rejected", "invalid", broken)


def sign(secret: bytes, stamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def test_signatures() -> None:
    verify = signature_verifier(b"s3cret", lambda: 1627063400.0)
    body = b'{"event":"conversation_created"}'
    good = {
        "X-Chatwoot-Timestamp": "1627063369",
        "X-Chatwoot-Signature": sign(b"s3cret", "1627063369", body),
    }
    assert verify(good, body) is None
    assert verify(good, body + b" ") == "X-Chatwoot-Signature: does not match the body"
    assert verify({**good, "X-Chatwoot-Signature": sign(b"other", "1627063369", body)}, body)
    stale = {
        "X-Chatwoot-Timestamp": "1627060000",
        "X-Chatwoot-Signature": sign(b"s3cret", "1627060000", body),
    }
    assert verify(stale, body) == "X-Chatwoot-Timestamp: missing or more than 5 minutes off"
    assert verify({}, body) is not None


async def test_the_receiver_checks_signatures_and_keeps_state(tmp_path: Path) -> None:
    import time

    out = tmp_path / "chatwoot.jsonl"
    output = JsonlOutput.open(out, None, "chatwoot", append=False)
    counts = IngestCounts()
    mapper = ChatwootMapper(OPTIONS)
    saved: list[dict[str, Any]] = []
    app = build_app(
        "chatwoot", "/chatwoot", mapper.map_body, output, counts, 1 << 20,
        signature_verifier(b"s3cret", time.time), lambda: saved.append(mapper.state()),
    )  # fmt: skip
    body = orjson.dumps(created())
    stamp = str(int(time.time()))
    async with TestClient(TestServer(app)) as client:
        forged = await client.post("/chatwoot", data=body, headers={
            "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": sign(b"guess", stamp, body)})  # fmt: skip
        assert forged.status == 401
        signed = await client.post("/chatwoot", data=body, headers={
            "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": sign(b"s3cret", stamp, body)})  # fmt: skip
        assert signed.status == 202
    await output.close()
    assert [orjson.loads(x)["id"] for x in out.read_bytes().splitlines()] == ["cw-10-o"]
    assert saved == [{"open": {"cw-10": [1627063369000, False]}}]
    assert counts.counts == {
        ("chatwoot", "rejected", "bad_signature"): 1,
        ("chatwoot", "mapped", "conversation_created"): 1,
    }
    restored = ChatwootMapper(OPTIONS)
    restored.restore(orjson.loads(orjson.dumps(saved[-1])))
    assert events(restored, outgoing("2021-07-23T18:05:00.000Z"))[:2] == (
        "mapped",
        "first_response",
    )
