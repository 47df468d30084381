"""The queue_log mapping, line by line, against canonical events computed by hand (no I/O)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from floorboard.events.codec import decode_event, encode
from floorboard.events.model import Event
from floorboard.sources.asterisk import AsteriskMapper, AsteriskOptions
from floorboard.sources.outcome import Mapped

T = 1795503600  # 2026-11-24 08:00 Europe/Oslo
TEAMS = {"PJSIP/201": "red", "PJSIP/301": "blue"}


def mapper(wrapup_s: float = 0.0) -> AsteriskMapper:
    return AsteriskMapper(AsteriskOptions("oslo", TEAMS, "default", wrapup_s))


def line(offset_s: int, rest: str) -> bytes:
    return f"{T + offset_s}|{rest}".encode()


def fields(events: list[Event]) -> list[dict[str, Any]]:
    """Events as dicts without ids (ids are checked on their own)."""
    out = []
    for e in events:
        d = msgspec.json.decode(encode(e))
        d.pop("id")
        out.append(d)
    return out


VOICE = {"v": 1, "site": "oslo", "channel": "voice"}


def test_a_call_from_entry_to_wrap_up() -> None:
    m = mapper(wrapup_s=30)
    offered = m.map_raw(line(0, "1.1|billing|NONE|ENTERQUEUE||4790000001|1"))
    ring = m.map_raw(line(5, "1.1|billing|PJSIP/202|RINGNOANSWER|5000"))
    answered = m.map_raw(line(12, "1.1|billing|PJSIP/201|CONNECT|12|1.2|7"))
    ended = m.map_raw(line(252, "1.1|billing|PJSIP/201|COMPLETECALLER|12|240|1"))
    later = m.map_raw(line(400, "NONE|NONE|NONE|QUEUESTART|"))
    contact = {**VOICE, "contact_id": "1.1", "queue": "billing"}
    agent = {"v": 1, "site": "oslo", "agent": "PJSIP/201", "team": "red"}
    ms = T * 1000
    assert (offered.outcome, offered.reason) == ("mapped", "enterqueue")
    assert fields(offered.events) == [{**contact, "type": "contact.offered", "ts": ms}]
    assert (ring.outcome, ring.reason, ring.events) == ("ignored", "no_kpi", [])
    assert fields(answered.events) == [
        {**contact, "type": "contact.answered", "ts": ms + 12_000, "agent": "PJSIP/201",
         "team": "red", "wait_s": 12.0},
        # A static member (queues.conf) shows up with its first call.
        {**agent, "type": "agent.state", "ts": ms + 12_000, "state": "logged_in",
         "reason": None, "queues": ["billing"]},
        {**agent, "type": "agent.state", "ts": ms + 12_001, "state": "busy", "reason": None,
         "queues": ["billing"]},
    ]  # fmt: skip
    assert fields(ended.events) == [
        {**contact, "type": "contact.ended", "ts": ms + 252_000, "agent": "PJSIP/201",
         "team": "red", "talk_s": 240.0, "hold_s": 0.0},
        {**agent, "type": "agent.state", "ts": ms + 252_000, "state": "acw", "reason": None,
         "queues": ["billing"]},
    ]  # fmt: skip
    # The wrap-up ends 30 s after the call, before the next line's events.
    assert later.outcome == "ignored"
    assert fields(later.events) == [
        {**contact, "type": "contact.wrapup_ended", "ts": ms + 282_000, "agent": "PJSIP/201",
         "team": "red", "acw_s": 30.0},
        {**agent, "type": "agent.state", "ts": ms + 282_000, "state": "ready", "reason": None,
         "queues": ["billing"]},
    ]  # fmt: skip


def test_every_event_passes_the_canonical_codec() -> None:
    m = mapper(wrapup_s=10)
    raws = [
        line(0, "1.1|billing|NONE|ENTERQUEUE||4790000001|1"),
        line(9, "1.1|billing|PJSIP/201|CONNECT|9|1.2|3"),
        line(99, "1.1|billing|PJSIP/201|ATTENDEDTRANSFER|BRIDGE|9.1|PJSIP/202-1|9|90|1"),
        line(120, "2.1|sales|NONE|EXITWITHKEY|5|1|1|20"),
    ]
    for raw in raws:
        for event in m.map_raw(raw).events:
            assert decode_event(encode(event)) == event


@pytest.mark.parametrize(
    ("rest", "etype", "extra"),
    [
        ("billing|NONE|ABANDON|2|3|13", "contact.abandoned", {"wait_s": 13.0}),
        ("billing|NONE|EXITWITHTIMEOUT|1|1|120", "contact.abandoned", {"wait_s": 120.0}),
        ("billing|NONE|EXITEMPTY|1|1|0", "contact.abandoned", {"wait_s": 0.0}),
        ("billing|NONE|WITHDRAW|1|1|45|callback", "contact.abandoned", {"wait_s": 45.0}),
        ("billing|NONE|EXITWITHKEY|1|1|1|50", "contact.callback_requested", {"wait_s": 50.0}),
    ],
)
def test_leaving_the_queue_unanswered(rest: str, etype: str, extra: dict[str, Any]) -> None:
    result = mapper().map_raw(line(60, f"7.7|{rest}"))
    assert result.outcome == "mapped"
    assert fields(result.events) == [
        {**VOICE, "type": etype, "ts": (T + 60) * 1000, "contact_id": "7.7", "queue": "billing",
         **extra}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("rest", "to_queue", "talk_s"),
    [
        ("TRANSFER|2001|from-internal|8|120|1", "2001@from-internal", 120.0),
        ("BLINDTRANSFER|2001|from-queue|8|121|1", "2001@from-queue", 121.0),
        # The method data holds '|' itself: numbers are read from the right.
        ("ATTENDEDTRANSFER|BRIDGE|9.1|PJSIP/202-0001|8|122|1", "9.1|PJSIP/202-0001", 122.0),
        ("ATTENDEDTRANSFER|APP|Dial(PJSIP/5)|8|123|1", "Dial(PJSIP/5)", 123.0),
    ],
)
def test_transfers_end_the_leg_and_name_the_target(rest: str, to_queue: str, talk_s: float) -> None:
    result = mapper().map_raw(line(200, f"5.5|billing|PJSIP/201|{rest}"))
    transferred, ended = result.events[:2]
    assert fields([transferred])[0]["to_queue"] == to_queue
    assert fields([ended])[0]["talk_s"] == talk_s
    assert ended.id != transferred.id


def test_pauses_with_reasons_and_queue_membership() -> None:
    m = mapper()

    def states(rest: str, at: int) -> list[tuple[str, str | None, int]]:
        out = m.map_raw(line(at, rest)).events
        return [(e.state, e.reason, e.ts - T * 1000) for e in out]  # type: ignore[union-attr]

    assert states("MANAGER|billing|PJSIP/201|ADDMEMBER|", 0) == [
        ("logged_in", None, 0), ("ready", None, 1)
    ]  # fmt: skip
    assert states("MANAGER|sales|PJSIP/201|ADDMEMBER|PAUSED", 1) == []  # ready in billing
    assert states("NONE|billing|PJSIP/201|PAUSE|Lunch", 2) == [("not_ready", "Lunch", 2000)]
    assert states("NONE|sales|PJSIP/201|UNPAUSE|", 30) == [("ready", None, 30_000)]
    # Paused in one of two queues: still ready; in both: not ready with the reason.
    assert states("NONE|billing|PJSIP/201|PAUSE|Lunch", 60) == []
    assert states("NONE|sales|PJSIP/201|PAUSE|Lunch", 60) == [("not_ready", "Lunch", 60_000)]
    assert states("NONE|billing|PJSIP/201|UNPAUSE|", 120) == [("ready", None, 120_000)]
    assert states("NONE|NONE|PJSIP/201|PAUSEALL|", 180) == [("not_ready", "paused", 180_000)]
    assert states("NONE|NONE|PJSIP/201|UNPAUSEALL|", 240) == [("ready", None, 240_000)]
    assert states("MANAGER|billing|PJSIP/201|REMOVEMEMBER|", 300) == []  # still in sales
    assert states("MANAGER|sales|PJSIP/201|REMOVEMEMBER|", 360) == [("logged_out", None, 360_000)]


def test_agent_login_and_logoff() -> None:
    m = mapper()
    login = m.map_raw(line(0, "9.9|NONE|Agent/1001|AGENTLOGIN|SIP/1001-1"))
    logoff = m.map_raw(line(3600, "9.9|NONE|Agent/1001|AGENTLOGOFF|SIP/1001-1|3600"))
    assert [e.state for e in login.events] == ["logged_in", "ready"]  # type: ignore[union-attr]
    assert [e.state for e in logoff.events] == ["logged_out"]  # type: ignore[union-attr]
    assert {e.team for e in login.events} == {"default"}  # type: ignore[union-attr]


def test_a_new_call_ends_the_wrap_up_early() -> None:
    m = mapper(wrapup_s=60)
    m.map_raw(line(0, "1.1|billing|PJSIP/201|CONNECT|5|1.2|3"))
    m.map_raw(line(100, "1.1|billing|PJSIP/201|COMPLETEAGENT|5|100|1"))
    nxt = m.map_raw(line(120, "2.1|billing|PJSIP/201|CONNECT|4|2.2|3")).events
    assert [type(e).__name__ for e in nxt] == [
        "ContactWrapupEnded", "ContactAnswered", "AgentState"
    ]  # fmt: skip
    assert nxt[0].acw_s == 20.0  # type: ignore[union-attr]


def test_ids_are_stable_and_distinct() -> None:
    raws = [
        line(0, "1.1|billing|NONE|ENTERQUEUE||1|1"),
        line(300, "1.1|support|NONE|ENTERQUEUE||1|1"),  # the same call re-enters another queue
        line(900, "1.1|billing|NONE|ENTERQUEUE||1|1"),  # and the first one again
    ]
    first = [e.id for r in raws for e in mapper().map_raw(r).events]
    again = [e.id for r in raws for e in mapper().map_raw(r).events]
    assert first == again
    assert len(set(first)) == 3


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"1795503600|1.1|billing", "truncated"),
        (b"17955O3600|1.1|billing|NONE|ENTERQUEUE||1|1", "bad_time"),
        (b"1795503600|1.1|billing|PJSIP/201|CONNECT|twelve|1.2|3", "bad_number"),
        (b"1795503600|1.1|billing|PJSIP/201|CONNECT|nan|1.2|3", "bad_number"),
        (b"1795503600|1.1|billing|PJSIP/201|COMPLETECALLER|-5|-1|1", "bad_number"),
        (b"1795503600|1.1|billing|PJSIP/201|COMPLETECALLER|5", "truncated"),
        (b"1795503600|1.1|billing|NONE|ABANDON|1|1", "truncated"),
        (b"1795503600|1.1|billing|NONE|CONNECT|5|1.2|3", "missing_field"),
        (b"1795503600|NONE|billing|NONE|ENTERQUEUE||1|1", "missing_field"),
        (b"1795503600|1.1|billing|NONE|ENTERQUEUE||\xff\xfe|1", "bad_encoding"),
        (b"1795503600|1.1|" + b"q" * 200 + b"|NONE|ENTERQUEUE||1|1", "missing_field"),
    ],
)
def test_bad_lines_are_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    result = mapper().map_raw(raw)
    assert (result.outcome, result.reason) == ("rejected", reason)
    assert result.events == []
    assert result.message


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ("QUEUESTART", "no_kpi"), ("CONFIGRELOAD", "no_kpi"), ("DID", "no_kpi"),
        ("INFO", "no_kpi"), ("RINGCANCELED", "no_kpi"), ("AGENTDUMP", "no_kpi"),
        ("SYSCOMPAT", "no_kpi"), ("PENALTY", "no_kpi"), ("OUTCALL", "unknown_event"),
        ("CUSTOMDIALOUT", "unknown_event"),
    ],
)  # fmt: skip
def test_events_without_a_kpi_are_ignored_and_named(event: str, reason: str) -> None:
    result = mapper().map_raw(line(0, f"1.1|billing|PJSIP/201|{event}|x|y"))
    assert result == Mapped("ignored", reason)


def test_state_survives_a_restart() -> None:
    m = mapper(wrapup_s=30)
    m.map_raw(line(0, "MANAGER|billing|PJSIP/201|ADDMEMBER|"))
    m.map_raw(line(10, "NONE|billing|PJSIP/201|PAUSE|Coaching"))
    m.map_raw(line(20, "1.1|billing|PJSIP/201|COMPLETECALLER|5|100|1"))
    restored = mapper(wrapup_s=30)
    restored.restore(msgspec.json.decode(msgspec.json.encode(m.state())))
    nxt = line(100, "NONE|NONE|NONE|QUEUESTART|")
    assert restored.map_raw(nxt) == m.map_raw(nxt)
    assert restored.state() == m.state()
