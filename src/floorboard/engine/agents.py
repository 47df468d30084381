"""Agent state timelines: live state per agent and time in state per team, order-independent.

Each agent keeps a *base* transition (finalized) and a sorted list of *pending* transitions still
within the allowed lateness. Pending transitions are finalized into the team's time buckets only
once they are older than watermark − lateness, which no accepted event can precede, so any arrival
order of the same events yields the same time in state. Reads add the pending part provisionally.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from heapq import heappop, heappush
from operator import add
from sys import intern
from typing import Any

from floorboard.engine.expiry import ExpiryIndex
from floorboard.engine.layout import AGENT_TIME_FIELDS, AGENT_TIME_INDEX
from floorboard.engine.state import Key, KeyedState
from floorboard.engine.tables import (
    AGENT_BASE,
    AGENT_PENDING,
    AGENTS,
    TEAM_MINUTES,
    TEAM_QUARTERS,
    TRANSITION_QUEUES,
    TRANSITION_REASON,
    TRANSITION_STATE,
    TRANSITION_TEAM,
    TRANSITION_TS,
)
from floorboard.engine.windows import MINUTE_MS, QUARTER_MS
from floorboard.events.model import AgentState

AgentRows = dict[Key, list[Any]]  # the AGENTS table
# A team time table: (name, bucket size in ms, rows, dirty keys)
_TeamTier = tuple[str, int, dict[Key, list[int]], set[Key]]
# Time per state summed in one finalization: team -> bucket -> ms per agent state
_TeamSums = defaultdict[str, dict[int, list[int]]]


def _spread(buckets: dict[int, list[int]], size: int, slot: int, lo: int, hi: int) -> None:
    """Add ``[lo, hi)`` to ``slot`` of the ``size`` buckets it overlaps."""
    b = lo - lo % size
    start = lo  # where the part in bucket ``b`` starts: ``lo`` in the first, then ``b``
    while b < hi:
        vector = buckets.get(b)
        if vector is None:
            vector = buckets[b] = [0] * len(AGENT_TIME_FIELDS)
        b += size
        vector[slot] += (b if b < hi else hi) - start
        start = b


class DueIndex:
    """Pending transitions by site and minute of event time, so finalization visits only agents
    with one due. A derived index (rebuilt on restore, never checkpointed); entries of the minute
    that holds the horizon stay, so they may come up again once finalized."""

    def __init__(self) -> None:
        self._minutes: dict[str, list[int]] = defaultdict(list)  # heap per site
        self._due: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)

    def add(self, site: str, ts: int, agent: str) -> None:
        minute = ts // MINUTE_MS
        due = self._due[(site, minute)]
        if not due:
            heappush(self._minutes[site], minute)
        due.append((ts, agent))

    def pop_due(self, site: str, horizon: int) -> list[tuple[int, str]]:
        """(ts, agent) of every pending transition before ``horizon``, and maybe of some
        finalized since."""
        minutes = self._minutes.get(site)
        due: list[tuple[int, str]] = []
        last = horizon // MINUTE_MS  # only partly before the horizon: kept for the rest
        while minutes and minutes[0] < last:
            due += self._due.pop((site, heappop(minutes)))
        if minutes and minutes[0] == last:
            due += [entry for entry in self._due[(site, last)] if entry[0] < horizon]
        return due


class AgentTimelines:
    """Agent records (table AGENTS) and the team time in state they finalize into (tables
    TEAM_MINUTES and TEAM_QUARTERS)."""

    def __init__(self, state: KeyedState, expiry: ExpiryIndex) -> None:
        self._state = state
        self._rows: AgentRows = state.tables[AGENTS]
        self._dirty = state.dirty[AGENTS]
        self._expiry = expiry
        self._due = DueIndex()
        self._minutes, self._quarters = (
            (table, size, state.tables[table], state.dirty[table])
            for table, size in ((TEAM_MINUTES, MINUTE_MS), (TEAM_QUARTERS, QUARTER_MS))
        )

    def record(self, ev: AgentState) -> None:
        key = (ev.site, ev.agent)
        rows = self._rows
        self._dirty.add(key)
        rec = rows.get(key)
        if rec is None:
            rec = rows[key] = [None, []]  # fields as in tables.py
        # Interned, the names finalization compares and keys buckets by are mostly the same objects.
        reason, team = intern(ev.reason or ""), intern(ev.team)
        transition = [ev.ts, ev.state, reason, team, sorted(ev.queues)]  # fields as in tables.py
        pending = rec[AGENT_PENDING]
        if pending and transition < pending[-1]:
            insort(pending, transition)
        else:
            pending.append(transition)  # the common case: in time order
        self._due.add(ev.site, ev.ts, ev.agent)

    def index_pending(self) -> None:
        """Rebuild the due index from the agent table (after a restore)."""
        for (site, agent), rec in self._rows.items():
            for transition in rec[AGENT_PENDING]:
                self._due.add(site, transition[TRANSITION_TS], agent)

    def finalize(self, site: str, horizon: int, kept: tuple[int, int]) -> None:
        """Move transitions older than ``horizon`` from pending into the team time buckets;
        ``kept`` are the first minute and quarter buckets still kept."""
        rows, dirty = self._rows, self._dirty
        minute_lo, quarter_lo = kept
        # Time per team and bucket summed over every agent first, so each team bucket of the
        # state is looked up and marked changed once per call, not once per segment.
        minutes: _TeamSums = defaultdict(dict)
        quarters: _TeamSums = defaultdict(dict)
        for _ts, agent in self._due.pop_due(site, horizon):
            key = (site, agent)
            rec = rows.get(key)
            if rec is None:
                continue  # expired since
            pending = rec[AGENT_PENDING]
            if not pending or pending[0][TRANSITION_TS] >= horizon:
                continue  # already finalized through an earlier entry
            dirty.add(key)
            base = rec[AGENT_BASE]
            done = 0
            for nxt in pending:
                if nxt[TRANSITION_TS] >= horizon:
                    break
                done += 1
                if base is None:
                    base = nxt
                    continue
                if (
                    base[TRANSITION_STATE] == nxt[TRANSITION_STATE]
                    and base[TRANSITION_REASON] == nxt[TRANSITION_REASON]
                    and base[TRANSITION_TEAM] == nxt[TRANSITION_TEAM]
                ):
                    # Same state, reason and team: the run (and its start) goes on.
                    base[TRANSITION_QUEUES] = nxt[TRANSITION_QUEUES]
                    continue
                slot = AGENT_TIME_INDEX.get(base[TRANSITION_STATE])
                start, end = base[TRANSITION_TS], nxt[TRANSITION_TS]
                if slot is not None and start < end:  # time logged out is not staffed time
                    # Time still inside the minute tier goes to minute buckets, older time
                    # straight to quarter buckets (minute buckets roll up into them), and time
                    # beyond every window nowhere.
                    team = base[TRANSITION_TEAM]
                    if start < minute_lo:
                        lo, hi = max(start, quarter_lo), min(end, minute_lo)
                        _spread(quarters[team], QUARTER_MS, slot, lo, hi)
                    _spread(minutes[team], MINUTE_MS, slot, max(start, minute_lo), end)
                base = nxt
            rec[AGENT_BASE] = base
            del pending[:done]
        self._add(site, self._minutes, minutes)
        self._add(site, self._quarters, quarters)

    def _add(self, site: str, tier: _TeamTier, sums: _TeamSums) -> None:
        """Add the summed time to the site's team buckets of ``tier``."""
        table, _size, rows, dirty = tier
        for team, buckets in sums.items():
            for bucket, amounts in buckets.items():
                key = (site, team, bucket)
                dirty.add(key)
                vector = rows.get(key)
                if vector is None:
                    rows[key] = amounts
                    self._expiry.add(table, key)
                else:
                    vector[:] = map(add, vector, amounts)

    def expire(self, site: str, horizon: int) -> None:
        """Forget agents logged out since before ``horizon``."""
        stale = [k for k, rec in self._rows.items() if k[0] == site and _stale(rec, horizon)]
        self._state.delete_all(AGENTS, stale)


def _stale(rec: list[Any], horizon: int) -> bool:
    last = current(rec)
    return (
        last is not None
        and last[TRANSITION_STATE] == "logged_out"
        and last[TRANSITION_TS] < horizon
    )


def current(rec: list[Any]) -> list[Any] | None:
    pending: list[list[Any]] = rec[AGENT_PENDING]
    base: list[Any] | None = rec[AGENT_BASE]
    return pending[-1] if pending else base


def _timeline(rec: list[Any]) -> list[list[Any]]:
    base: list[Any] | None = rec[AGENT_BASE]
    pending: list[list[Any]] = rec[AGENT_PENDING]
    return [base, *pending] if base is not None else list(pending)


@dataclass(frozen=True, slots=True)
class AgentNow:
    site: str
    agent: str
    team: str
    state: str
    reason: str
    since: int
    queues: tuple[str, ...]


def live(rows: AgentRows) -> Iterator[AgentNow]:
    """Current state of every agent in ``rows``; ``since`` is the start of the current state run."""
    for (site, agent), rec in rows.items():
        timeline = _timeline(rec)
        if not timeline:
            continue
        last = timeline[-1]
        since = last[TRANSITION_TS]
        for tr in reversed(timeline[:-1]):
            if (
                tr[TRANSITION_STATE] != last[TRANSITION_STATE]
                or tr[TRANSITION_REASON] != last[TRANSITION_REASON]
            ):
                break
            since = tr[TRANSITION_TS]
        yield AgentNow(
            site,
            agent,
            last[TRANSITION_TEAM],
            last[TRANSITION_STATE],
            last[TRANSITION_REASON],
            since,
            tuple(last[TRANSITION_QUEUES]),
        )


def provisional_segments(rows: AgentRows, now: int) -> Iterator[tuple[str, str, str, int, int]]:
    """(site, team, state, start, end) of time not yet finalized: from the base up to ``now``."""
    for (site, _agent), rec in rows.items():
        timeline = _timeline(rec)
        for here, nxt in zip(timeline, [*timeline[1:], None], strict=True):
            end = nxt[TRANSITION_TS] if nxt is not None else now
            yield site, here[TRANSITION_TEAM], here[TRANSITION_STATE], here[TRANSITION_TS], end
