"""Asterisk ``queue_log`` records → canonical events (pure: no I/O, no clock).

Contact events come from one line each (queue_log lines carry their own wait and talk times).
Agent states are derived per agent from logins, queue membership, pauses, calls and a configured
wrap-up time; that state is the mapper's only memory, and :meth:`AsteriskMapper.state` /
:meth:`AsteriskMapper.restore` carry it across restarts. docs/sources.md has the tables.

Event ids are a hash of the line's fields plus a suffix per event it yields, so reading the same
lines again (a restart, the CSV export of the same table) yields the same ids and the engine
drops them as duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from hashlib import blake2b
from heapq import heapify, heappop, heappush
from typing import Any

from floorboard.events.model import (
    AgentState,
    AgentStateName,
    ContactAbandoned,
    ContactAnswered,
    ContactCallbackRequested,
    ContactEnded,
    ContactOffered,
    ContactTransferred,
    ContactWrapupEnded,
    Event,
)
from floorboard.sources.outcome import Mapped, ignored
from floorboard.sources.queue_log import Line, parse_flat

NAME_MAX = 128
# Written by app_queue or the dialplan but carrying no KPI (docs/sources.md says why for each).
NO_KPI = frozenset(
    {
        "RINGNOANSWER", "RINGCANCELED", "QUEUESTART", "CONFIGRELOAD", "DID", "INFO",
        "AGENTDUMP", "SYSCOMPAT", "FULL", "JOINEMPTY", "JOINUNAVAIL", "PENALTY", "RINGINUSE",
        "ATTENDEDTRANSFERAPP", "CLI",
    }
)  # fmt: skip
NOBODY = frozenset({"", "NONE"})


@dataclass(frozen=True, slots=True)
class AsteriskOptions:
    site: str
    teams: Mapping[str, str] = field(default_factory=dict)  # agent → team
    default_team: str = "default"
    wrapup_s: float = 0.0  # queues.conf wrapuptime: after-call work after every call


@dataclass(slots=True)
class _Agent:
    queues: set[str] = field(default_factory=set)  # member of
    paused: set[str] = field(default_factory=set)  # paused in
    paused_all: bool = False  # PAUSEALL (also covers queues not seen yet)
    agent_login: bool = False  # AGENTLOGIN (chan_agent / app_agent_pool)
    call: str | None = None  # contact being talked to
    wrap: tuple[int, str, str, str] | None = None  # (due ms, contact, queue, line id) of ACW
    reason: str = "paused"
    shown: tuple[str, str | None] = ("logged_out", None)  # last state emitted
    shown_ts: int = -1  # and its time

    @property
    def logged_in(self) -> bool:
        return self.agent_login or bool(self.queues) or self.call is not None

    def state(self) -> tuple[AgentStateName, str | None]:
        if not self.logged_in:
            return "logged_out", None
        if self.call is not None:
            return "busy", None
        if self.wrap is not None:
            return "acw", None
        if self.paused_all or (self.queues and self.queues <= self.paused):
            return "not_ready", self.reason
        return "ready", None


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 7 * 86400:  # also rejects nan and inf
        raise ValueError(text)
    return value


class AsteriskMapper:
    def __init__(
        self, options: AsteriskOptions, parse: Callable[[bytes], Line | Mapped] = parse_flat
    ) -> None:
        self.o = options
        self.parse = parse  # the flat file's, or a CSV layout's
        self.agents: dict[str, _Agent] = {}
        handlers: dict[str, Callable[[Line, str, list[Event]], None]] = {
            "ENTERQUEUE": self._enter,
            "CONNECT": self._connect,
            "COMPLETECALLER": self._complete,
            "COMPLETEAGENT": self._complete,
            "TRANSFER": self._transfer,
            "BLINDTRANSFER": self._transfer,
            "ATTENDEDTRANSFER": self._attended,
            "ABANDON": self._abandon,
            "EXITWITHTIMEOUT": self._abandon,
            "EXITEMPTY": self._abandon,
            "WITHDRAW": self._abandon,
            "EXITWITHKEY": self._exit_key,
            "ADDMEMBER": self._add_member,
            "REMOVEMEMBER": self._remove_member,
            "PAUSE": self._pause,
            "UNPAUSE": self._unpause,
            "PAUSEALL": self._pause,
            "UNPAUSEALL": self._unpause,
            "AGENTLOGIN": self._login,
            "AGENTCALLBACKLOGIN": self._login,
            "AGENTLOGOFF": self._logoff,
            "AGENTCALLBACKLOGOFF": self._logoff,
        }
        # Event → (handler, the reason label of its mapped records).
        self._handlers = {event: (h, event.lower()) for event, h in handlers.items()}
        self._due: list[tuple[int, str]] = []  # (wrap-up end, agent), a heap; stale entries stay

    # --- entry points ---

    def map_raw(self, raw: bytes) -> Mapped:
        parsed = self.parse(raw)
        return parsed if isinstance(parsed, Mapped) else self.map(parsed)

    def map(self, line: Line) -> Mapped:
        """The events of one line; agents' wrap-ups due before it come first."""
        due = self._due
        out = self.advance(line.ts) if due and due[0][0] <= line.ts else []
        found = self._handlers.get(line.event)
        if found is None:
            reason = "no_kpi" if line.event in NO_KPI else "unknown_event"
            return Mapped("ignored", reason, out) if out else ignored(reason)
        handler, reason = found
        try:
            handler(line, _line_id(line), out)
        except (ValueError, IndexError) as exc:
            # Wrap-ups already due still count; only this line is rejected.
            return Mapped("rejected", _bad_reason(exc), out, f"{line.event}: {exc}")
        return Mapped("mapped", reason, out)

    def advance(self, now: int) -> list[Event]:
        """Events of wrap-ups that ended at or before ``now`` (ms), in time order."""
        out: list[Event] = []
        heap = self._due
        while heap and heap[0][0] <= now:
            due, name = heappop(heap)
            a = self.agents.get(name)
            if a is not None and a.wrap is not None and a.wrap[0] == due:  # else ended early
                self._end_wrap(name, a, None, out)
        return out

    def finish(self) -> list[Event]:
        """At the end of a finite file: every wrap-up still running ends at its due time."""
        return self.advance(1 << 62)

    # --- call lifecycle ---

    @staticmethod
    def _check(line: Line) -> None:
        """The line names its call and queue (events are built with keywords: it is faster than
        unpacking a dict of the common fields, and this is the hot path)."""
        if line.callid in NOBODY:
            raise ValueError("callid: missing")
        if line.queue in NOBODY:
            raise ValueError("queuename: missing")
        if len(line.callid) > NAME_MAX or len(line.queue) > NAME_MAX:
            raise ValueError("callid/queuename: longer than 128 characters")

    def _who(self, line: Line) -> tuple[str, str]:
        agent = line.agent
        if agent in NOBODY:
            raise ValueError("agent: missing")
        if len(agent) > NAME_MAX:
            raise ValueError("agent: longer than 128 characters")
        return agent, self.o.teams.get(agent, self.o.default_team)

    def _enter(self, line: Line, lid: str, out: list[Event]) -> None:
        self._check(line)
        out.append(
            ContactOffered(
                v=1, id=lid, ts=line.ts, site=self.o.site, contact_id=line.callid,
                queue=line.queue, channel="voice",
            )
        )  # fmt: skip

    def _abandon(self, line: Line, lid: str, out: list[Event]) -> None:
        # position|origposition|waittime (WITHDRAW adds withdraw info after it).
        wait = _seconds(line.data[2])
        self._check(line)
        out.append(
            ContactAbandoned(
                v=1, id=lid, ts=line.ts, site=self.o.site, contact_id=line.callid,
                queue=line.queue, channel="voice", wait_s=wait,
            )
        )  # fmt: skip

    def _exit_key(self, line: Line, lid: str, out: list[Event]) -> None:
        wait = _seconds(line.data[3])  # key|position|origposition|waittime
        self._check(line)
        out.append(
            ContactCallbackRequested(
                v=1, id=lid, ts=line.ts, site=self.o.site, contact_id=line.callid,
                queue=line.queue, channel="voice", wait_s=wait,
            )
        )  # fmt: skip

    def _connect(self, line: Line, lid: str, out: list[Event]) -> None:
        wait = _seconds(line.data[0])  # holdtime|bridged uniqueid|ringtime
        self._check(line)
        agent, team = self._who(line)
        a = self._agent(agent)
        if a.wrap is not None:  # answered again before the wrap-up time ran out: straight to busy
            self._end_wrap(agent, a, line.ts, out, show=False)
        out.append(
            ContactAnswered(
                v=1, id=lid, ts=line.ts, site=self.o.site, contact_id=line.callid,
                queue=line.queue, channel="voice", agent=agent, team=team, wait_s=wait,
            )
        )  # fmt: skip
        a.call = line.callid
        if line.queue not in a.queues and not a.agent_login:
            a.queues.add(line.queue)  # a static member: queues.conf, no ADDMEMBER line
        self._show(agent, a, line.ts, lid, out)

    def _complete(self, line: Line, lid: str, out: list[Event]) -> None:
        talk = _seconds(line.data[1])  # holdtime|calltime|origposition
        self._end_call(line, lid, talk, None, out)

    def _transfer(self, line: Line, lid: str, out: list[Event]) -> None:
        # extension|context|holdtime|calltime|origposition
        target = f"{line.data[0]}@{line.data[1]}"
        self._end_call(line, lid, _seconds(line.data[3]), target, out)

    def _attended(self, line: Line, lid: str, out: list[Event]) -> None:
        # method|method-data|holdtime|calltime|origposition; method-data may itself hold '|',
        # so the numbers are read from the right.
        if len(line.data) < 5:
            raise IndexError("ATTENDEDTRANSFER needs 5 fields")
        target = "|".join(line.data[1:-3]) or line.data[0]
        self._end_call(line, lid, _seconds(line.data[-2]), target, out)

    def _end_call(
        self, line: Line, lid: str, talk: float, target: str | None, out: list[Event]
    ) -> None:
        self._check(line)
        agent, team = self._who(line)
        site, callid, queue, ts = self.o.site, line.callid, line.queue, line.ts
        if target is not None:
            out.append(
                ContactTransferred(
                    v=1, id=lid + "t", ts=ts, site=site, contact_id=callid, queue=queue,
                    channel="voice", agent=agent, team=team,
                    to_queue=target[:NAME_MAX] or "unknown",
                )
            )  # fmt: skip
        out.append(
            ContactEnded(
                v=1, id=lid, ts=ts, site=site, contact_id=callid, queue=queue, channel="voice",
                agent=agent, team=team, talk_s=talk, hold_s=0.0,
            )
        )  # fmt: skip
        a = self._agent(agent)
        if a.call == line.callid or a.call is None:
            a.call = None
            if self.o.wrapup_s > 0:
                due = line.ts + round(self.o.wrapup_s * 1000)
                a.wrap = (due, line.callid, line.queue, lid)
                heappush(self._due, (due, agent))
        self._show(agent, a, line.ts, lid, out)

    def _end_wrap(
        self, name: str, a: _Agent, at: int | None, out: list[Event], show: bool = True
    ) -> None:
        assert a.wrap is not None
        due, contact_id, queue, lid = a.wrap
        ts = due if at is None else min(at, due)
        start = due - round(self.o.wrapup_s * 1000)
        team = self.o.teams.get(name, self.o.default_team)
        out.append(
            ContactWrapupEnded(
                v=1, id=f"{lid}w", ts=ts, site=self.o.site, contact_id=contact_id, queue=queue,
                channel="voice", agent=name, team=team, acw_s=(ts - start) / 1000,
            )
        )  # fmt: skip
        a.wrap = None
        if show:
            self._show(name, a, ts, f"{lid}w", out)

    # --- agents ---

    def _agent(self, name: str) -> _Agent:
        a = self.agents.get(name)
        if a is None:
            a = self.agents[name] = _Agent()
        return a

    def _member_line(self, line: Line) -> tuple[str, _Agent]:
        agent, _ = self._who(line)
        return agent, self._agent(agent)

    def _add_member(self, line: Line, lid: str, out: list[Event]) -> None:
        agent, a = self._member_line(line)
        a.queues.add(line.queue)
        if line.data[:1] == ("PAUSED",):
            a.paused.add(line.queue)
        self._show(agent, a, line.ts, lid, out)

    def _remove_member(self, line: Line, lid: str, out: list[Event]) -> None:
        agent, a = self._member_line(line)
        a.queues.discard(line.queue)
        a.paused.discard(line.queue)
        self._show(agent, a, line.ts, lid, out)

    def _pause(self, line: Line, lid: str, out: list[Event]) -> None:
        agent, a = self._member_line(line)
        reason = line.data[0].strip() if line.data else ""
        a.reason = reason[:NAME_MAX] or "paused"
        if line.event == "PAUSEALL" or line.queue in NOBODY:
            a.paused_all = True
            a.paused |= a.queues
        else:
            a.paused.add(line.queue)
        self._show(agent, a, line.ts, lid, out)

    def _unpause(self, line: Line, lid: str, out: list[Event]) -> None:
        agent, a = self._member_line(line)
        a.paused_all = False
        if line.event == "UNPAUSEALL" or line.queue in NOBODY:
            a.paused.clear()
        else:
            a.paused.discard(line.queue)
        self._show(agent, a, line.ts, lid, out)

    def _login(self, line: Line, lid: str, out: list[Event]) -> None:
        agent, a = self._member_line(line)
        a.agent_login = True
        self._show(agent, a, line.ts, lid, out)

    def _logoff(self, line: Line, lid: str, out: list[Event]) -> None:
        agent, a = self._member_line(line)
        a.agent_login = False
        a.queues.clear()
        a.paused.clear()
        a.paused_all = False
        self._show(agent, a, line.ts, lid, out)

    def _show(self, name: str, a: _Agent, ts: int, lid: str, out: list[Event]) -> None:
        """Emit the agent's state if it changed (``logged_in`` first after being logged out)."""
        state, reason = a.state()
        if (state, reason) == a.shown:
            return
        # The engine orders one agent's transitions by time (then by state name): a change in the
        # same second as the previous one, or a line written slightly out of order, goes 1 ms
        # after it, so the states keep the order of the lines.
        if ts <= a.shown_ts:
            ts = a.shown_ts + 1
        team = self.o.teams.get(name, self.o.default_team)
        queues = tuple(sorted(a.queues)) if len(a.queues) > 1 else tuple(a.queues)
        site = self.o.site
        if a.shown[0] == "logged_out" and state != "logged_out":
            out.append(
                AgentState(
                    v=1, id=lid + "i", ts=ts, site=site, agent=name, team=team,
                    state="logged_in", queues=queues,
                )
            )  # fmt: skip
            ts += 1
        out.append(
            AgentState(
                v=1, id=lid + "s", ts=ts, site=site, agent=name, team=team, state=state,
                reason=reason, queues=queues,
            )
        )  # fmt: skip
        a.shown, a.shown_ts = (state, reason), ts

    # --- restart ---

    def state(self) -> dict[str, Any]:
        """The agents' state as JSON-able data, saved with the read position."""
        return {
            name: {
                "queues": sorted(a.queues), "paused": sorted(a.paused),
                "paused_all": a.paused_all, "agent_login": a.agent_login, "call": a.call,
                "wrap": list(a.wrap) if a.wrap else None, "reason": a.reason,
                "shown": list(a.shown), "shown_ts": a.shown_ts,
            }
            for name, a in self.agents.items()
        }  # fmt: skip

    def restore(self, saved: Mapping[str, Any]) -> None:
        self.agents = {
            name: _Agent(
                set(d["queues"]), set(d["paused"]), bool(d["paused_all"]),
                bool(d["agent_login"]), d["call"], tuple(d["wrap"]) if d["wrap"] else None,
                str(d["reason"]), (d["shown"][0], d["shown"][1]), int(d["shown_ts"]),
            )
            for name, d in saved.items()
        }  # fmt: skip
        self._due = [(a.wrap[0], name) for name, a in self.agents.items() if a.wrap]
        heapify(self._due)


def _line_id(line: Line) -> str:
    return "ast-" + blake2b(line.key.encode(), digest_size=10).hexdigest()


def _bad_reason(exc: Exception) -> str:
    if isinstance(exc, IndexError):
        return "truncated"
    if str(exc).startswith(("callid", "queuename", "agent")):
        return "missing_field"
    return "bad_number"
