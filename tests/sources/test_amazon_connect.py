"""Amazon Connect: agent events, contact events and CTRs shaped as the admin guide's samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

from floorboard.cli import main
from floorboard.events.codec import encode
from floorboard.sources.amazon_connect import ConnectMapper, ConnectOptions

INSTANCE = "arn:aws:connect:eu-north-1:012345678901:instance/aaaaaaaa-bbbb-cccc-dddd-111111111111"
QUEUE_ARN = f"{INSTANCE}/queue/queue-billing"
AGENT_ARN = f"{INSTANCE}/agent/agent-1"
OPTIONS = ConnectOptions("oslo", queues={"queue-billing": "billing"}, teams={"kari": "red"})
T = "2026-11-24T07:{}Z"  # 08:xx Oslo
MS = 1795503600000  # 2026-11-24T07:00:00Z


def at(mm_ss: str) -> int:
    minutes, seconds = mm_ss.split(":")
    return MS + (int(minutes) * 60 + int(float(seconds))) * 1000


def agent_event(
    kind: str, when: str, status: str, contacts: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "AWSAccountId": "012345678901", "AgentARN": AGENT_ARN, "EventId": f"e-{when}",
        "EventTimestamp": T.format(when), "EventType": kind, "InstanceARN": INSTANCE,
        "CurrentAgentSnapshot": {
            "AgentStatus": {"ARN": "status-arn", "Name": status, "StartTimestamp": T.format(when)},
            "Configuration": {
                "Username": "kari", "AgentHierarchyGroups": None,
                "RoutingProfile": {"Name": "Profile", "InboundQueues": [
                    {"ARN": f"{INSTANCE}/queue/agent/agent-1", "Name": None},
                    {"ARN": QUEUE_ARN, "Name": "billing"},
                ]},
            },
            "Contacts": contacts,
        },
    }  # fmt: skip


def contact(state: str, since: str) -> dict[str, Any]:
    return {"Channel": "VOICE", "ContactId": "c-1", "InitiationMethod": "INBOUND",
            "Queue": {"ARN": QUEUE_ARN, "Name": "billing"}, "State": state,
            "StateStartTimestamp": T.format(since)}  # fmt: skip


def contact_event(kind: str, **extra: Any) -> dict[str, Any]:
    return {"initiationTimestamp": T.format("00:00.000"), "contactId": "c-1", "channel": "VOICE",
            "instanceArn": INSTANCE, "initiationMethod": "INBOUND", "eventType": kind,
            "queueInfo": {"queueType": "STANDARD", "queueArn": QUEUE_ARN,
                          "enqueueTimestamp": T.format("00:05.000")}, **extra}  # fmt: skip


def run(records: list[dict[str, Any]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    mapper = ConnectMapper(OPTIONS)
    out: list[tuple[str, str, list[dict[str, Any]]]] = []
    for record in records:
        result = mapper.map_raw(orjson.dumps(record))
        events = [msgspec.json.decode(encode(e)) for e in result.events]
        out.append((result.outcome, result.reason, events))
    return out


def brief(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["type"], e.get("state", e.get("wait_s", e.get("talk_s", e.get("acw_s")))), e["ts"])
            for e in events]  # fmt: skip


def test_agent_states_and_after_contact_work_from_the_agent_event_stream() -> None:
    results = run([
        agent_event("LOGIN", "00:00.000", "Available", []),
        agent_event("HEART_BEAT", "00:01.000", "Available", []),
        agent_event("STATE_CHANGE", "00:10.000", "Available", [contact("CONNECTED", "00:10.000")]),
        agent_event("STATE_CHANGE", "04:10.000", "Available", [contact("ENDED", "04:10.000")]),
        agent_event("STATE_CHANGE", "04:40.000", "Available", []),
        agent_event("STATE_CHANGE", "30:00.000", "Lunch", []),
        agent_event("LOGOUT", "59:00.000", "Offline", []),
    ])  # fmt: skip
    assert [(o, r) for o, r, _ in results] == [
        ("mapped", "login"), ("ignored", "no_change"), ("mapped", "state_change"),
        ("mapped", "state_change"), ("mapped", "state_change"), ("mapped", "state_change"),
        ("mapped", "logout"),
    ]  # fmt: skip
    events = [e for _, _, evs in results for e in evs]
    assert brief(events) == [
        ("agent.state", "logged_in", at("00:00")), ("agent.state", "ready", at("00:00") + 1),
        ("agent.state", "busy", at("00:10")), ("agent.state", "acw", at("04:10")),
        # ACW is over when the contact leaves the snapshot: 30 s.
        ("contact.wrapup_ended", 30.0, at("04:40")), ("agent.state", "ready", at("04:40")),
        ("agent.state", "not_ready", at("30:00")), ("agent.state", "logged_out", at("59:00")),
    ]  # fmt: skip
    assert events[6]["reason"] == "Lunch"
    assert events[4]["queue"] == "billing" and events[4]["team"] == "red"
    assert events[0]["queues"] == ["billing"]  # the nameless agent queue is left out


def test_contact_events_with_and_without_the_envelope() -> None:
    disconnected = {
        "version": "0", "id": "abc", "detail-type": "Amazon Connect Contact Event",
        "source": "aws.connect", "time": T.format("04:10"),
        "detail": contact_event(
            "DISCONNECTED", disconnectTimestamp=T.format("04:10.000"),
            # The admin guide's own sample capitalises these two.
            AgentInfo={"AgentArn": AGENT_ARN, "connectedToAgentTimestamp": T.format("00:12.000")},
        ),
    }  # fmt: skip
    results = run([
        contact_event("INITIATED"),
        contact_event("QUEUED"),
        contact_event("CONNECTED_TO_AGENT", agentInfo={
            "agentArn": AGENT_ARN, "connectedToAgentTimestamp": T.format("00:12.000")}),
        disconnected,
    ])  # fmt: skip
    assert [(o, r) for o, r, _ in results] == [
        ("ignored", "no_kpi"), ("mapped", "queued"), ("mapped", "connected_to_agent"),
        ("mapped", "disconnected"),
    ]  # fmt: skip
    events = [e for _, _, evs in results for e in evs]
    assert brief(events) == [
        ("contact.offered", None, at("00:05")), ("contact.answered", 7.0, at("00:12")),
        ("contact.ended", 238.0, at("04:10")),
    ]  # fmt: skip
    assert {(e["contact_id"], e["queue"], e["channel"]) for e in events} == {
        ("c-1", "billing", "voice")
    }
    assert events[1]["agent"] == "agent-1"


def test_an_unanswered_contact_and_records_that_are_not_queue_calls() -> None:
    results = run([
        contact_event("DISCONNECTED", disconnectTimestamp=T.format("01:05.000")),
        contact_event("QUEUED", initiationMethod="OUTBOUND"),
        contact_event("QUEUED", channel="TASK"),
        {"something": "else"},
    ])  # fmt: skip
    assert brief(results[0][2]) == [("contact.abandoned", 60.0, at("01:05"))]
    assert [(o, r) for o, r, _ in results[1:]] == [
        ("ignored", "not_inbound"), ("ignored", "task"), ("ignored", "unknown_record")
    ]  # fmt: skip


def ctr(**agent: Any) -> dict[str, Any]:
    return {
        "AWSContactTraceRecordFormatVersion": "2017-03-10", "ContactId": "c-2",
        "Channel": "VOICE", "InitiationMethod": "INBOUND",
        "InitiationTimestamp": T.format("10:00"), "DisconnectTimestamp": T.format("16:00"),
        "Queue": {"ARN": QUEUE_ARN, "Name": "billing", "EnqueueTimestamp": T.format("10:05"),
                  "DequeueTimestamp": T.format("10:25"), "Duration": 20},
        "Agent": agent or None,
    }  # fmt: skip


def test_a_contact_trace_record_backfills_the_whole_contact() -> None:
    answered = ctr(
        ARN=AGENT_ARN, Username="kari", ConnectedToAgentTimestamp=T.format("10:25"),
        AgentInteractionDuration=300, CustomerHoldDuration=35,
        AfterContactWorkStartTimestamp=T.format("16:00"),
        AfterContactWorkEndTimestamp=T.format("16:45"), AfterContactWorkDuration=45,
    )  # fmt: skip
    [(outcome, reason, events)] = run([answered])
    assert (outcome, reason) == ("mapped", "ctr")
    assert brief(events) == [
        ("contact.offered", None, at("10:05")), ("contact.answered", 20.0, at("10:25")),
        ("contact.ended", 300.0, at("16:00")), ("contact.wrapup_ended", 45.0, at("16:45")),
    ]  # fmt: skip
    assert events[2]["hold_s"] == 35.0 and events[1]["team"] == "red"
    [(_, _, abandoned)] = run([ctr()])
    assert brief(abandoned)[1] == ("contact.abandoned", 20.0, at("10:25"))
    # The same contact from contact events and from its CTR: the same ids, so duplicates.
    assert [e["id"] for e in events[:2]] == ["ac-c-2-o", "ac-c-2-n"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{oops", "malformed_json"),
        (b"[]", "not_an_object"),
        (
            orjson.dumps(
                contact_event(
                    "QUEUED", queueInfo={"queueArn": QUEUE_ARN, "enqueueTimestamp": "yesterday"}
                )
            ),
            "invalid",
        ),
        (
            orjson.dumps(
                contact_event(
                    "CONNECTED_TO_AGENT",
                    agentInfo={
                        "agentArn": AGENT_ARN,
                        "connectedToAgentTimestamp": T.format("00:01.000"),
                    },
                )
            ),
            "invalid",
        ),
    ],
)
def test_bad_records_are_rejected(raw: bytes, reason: str) -> None:
    result = ConnectMapper(OPTIONS).map_raw(raw)
    assert (result.outcome, result.reason) == ("rejected", reason)


def test_ingest_amazon_connect_reads_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "connect.jsonl"
    lines = [orjson.dumps(r) for r in (contact_event("QUEUED"), ctr(), {"x": 1})] + [b"{oops"]
    records.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "events.jsonl"
    argv = ["ingest", "amazon-connect", str(records), "--site", "oslo", "--out", str(out)]
    assert main(argv) == 0
    assert len(out.read_bytes().splitlines()) == 3
    assert "ingest amazon-connect: mapped 2, ignored 1, rejected 1" in capsys.readouterr().err
