"""Simulated events written as an Asterisk ``queue_log``, so the demo can take the path a real
Asterisk site takes (``floorboard ingest asterisk --follow``).

Voice contacts of one site only; agent states become queue membership and pauses (busy and
after-call work are implied by the calls). What queue_log cannot say is lost on the way, as on
a real site: teams, hold time, the exact after-call work (``ingest --wrapup`` assumes one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from floorboard.events.model import (
    AgentState,
    ContactAbandoned,
    ContactAnswered,
    ContactCallbackRequested,
    ContactEnded,
    ContactOffered,
    ContactTransferred,
    Event,
)
from floorboard.simulator.feed import Record


def queue_log_records(events: Iterable[Event], site: str) -> Iterator[Record]:
    waits: dict[str, int] = {}  # contact → its wait in queue, for the lines that end the call
    transferred: dict[str, str] = {}
    paused: set[str] = set()
    for event in events:
        if event.site != site:
            continue
        t = event.ts // 1000
        lines: list[str] = []
        if isinstance(event, AgentState):
            lines = _agent(event, t, paused)
        elif getattr(event, "channel", None) != "voice":
            continue
        elif isinstance(event, ContactOffered):
            lines = [f"{t}|{event.contact_id}|{event.queue}|NONE|ENTERQUEUE||{event.contact_id}|1"]
        elif isinstance(event, ContactAnswered):
            waits[event.contact_id] = wait = round(event.wait_s)
            line = f"{event.contact_id}|{event.queue}|{event.agent}|CONNECT|{wait}|{event.id}|1"
            lines = [f"{t}|{line}"]
        elif isinstance(event, ContactAbandoned):
            lines = [f"{t}|{event.contact_id}|{event.queue}|NONE|ABANDON|1|1|{round(event.wait_s)}"]
        elif isinstance(event, ContactCallbackRequested):
            wait = round(event.wait_s)
            lines = [f"{t}|{event.contact_id}|{event.queue}|NONE|EXITWITHKEY|1|1|1|{wait}"]
        elif isinstance(event, ContactTransferred):
            transferred[event.contact_id] = event.to_queue
        elif isinstance(event, ContactEnded):
            wait = waits.pop(event.contact_id, 0)
            talk = round(event.talk_s + event.hold_s)
            target = transferred.pop(event.contact_id, None)
            how = f"BLINDTRANSFER|{target}|from-queue" if target else "COMPLETECALLER"
            lines = [f"{t}|{event.contact_id}|{event.queue}|{event.agent}|{how}|{wait}|{talk}|1"]
        if lines:
            yield Record(site, "".join(x + "\n" for x in lines).encode()[:-1], event.ts)


def _agent(event: AgentState, t: int, paused: set[str]) -> list[str]:
    agent = event.agent
    if event.state == "logged_in":
        return [f"{t}|MANAGER|{q}|{agent}|ADDMEMBER|" for q in event.queues]
    if event.state == "logged_out":
        paused.discard(agent)
        return [f"{t}|MANAGER|{q}|{agent}|REMOVEMEMBER|" for q in event.queues]
    if event.state == "not_ready":
        paused.add(agent)
        return [f"{t}|NONE|NONE|{agent}|PAUSEALL|{event.reason}"]
    if event.state == "ready" and agent in paused:
        paused.discard(agent)
        return [f"{t}|NONE|NONE|{agent}|UNPAUSEALL|"]
    return []
