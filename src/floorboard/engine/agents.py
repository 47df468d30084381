"""Agent state timelines: live state per agent and time in state per team, order-independent.

Each agent keeps a *base* transition and the later, *pending* transitions, sorted: those of its
latest minute in its record, earlier ones in one chunk per minute (table AGENT_CHUNKS). Every
closed segment (one transition to the next) is in the team's time buckets as soon as both ends
are known; a transition that arrives out of order moves the time from its insertion point to the
next transition out of the earlier transition's state into its own. So the buckets hold the same
time for any arrival order of the same events, and a read only adds each agent's open segment
(last transition to the read time).

Pending transitions are kept for ordering and retraction until their whole minute falls behind
watermark − lateness, which no accepted event can precede; then they move into the base. Chunks
keep checkpoints small: a new transition changes the agent's record (its latest minute), not
every transition the agent still holds; a minute becomes a chunk, written once, when a later one
starts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from sys import intern
from typing import Any

from floorboard.engine.expiry import ExpiryIndex
from floorboard.engine.layout import AGENT_TIME_FIELDS, AGENT_TIME_INDEX
from floorboard.engine.marked import MarkedRows
from floorboard.engine.state import Key, KeyedState
from floorboard.engine.tables import (
    AGENT_BASE,
    AGENT_CHUNKS,
    AGENT_MINUTES,
    AGENT_RECENT,
    AGENT_SINCE,
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
Chunks = dict[Key, list[list[Any]]]  # the AGENT_CHUNKS table
# A team time table: (bucket size in ms, its rows)
_TeamTier = tuple[int, MarkedRows]
# Per site: the first minute and the first quarter bucket still kept (Engine._bounds).
Kept = dict[str, tuple[int, int]]


class AgentTimelines:
    """Agent records (tables AGENTS and AGENT_CHUNKS) and the team time in state their closed
    segments add up to (tables TEAM_MINUTES and TEAM_QUARTERS)."""

    def __init__(
        self,
        state: KeyedState,
        expiry: ExpiryIndex,
        watermarks: dict[str, int],
        lateness_ms: int,
        kept: Kept,
    ) -> None:
        self._state = state
        self._rows: AgentRows = state.tables[AGENTS]
        self._dirty = state.dirty[AGENTS]
        self._chunks: Chunks = state.tables[AGENT_CHUNKS]
        self._dirty_chunks = state.dirty[AGENT_CHUNKS]
        self._watermarks = watermarks
        self._lateness_ms = lateness_ms
        self._kept = kept
        self._minutes: _TeamTier
        self._quarters: _TeamTier
        self._minutes, self._quarters = (
            (size, MarkedRows(state, expiry, table, _zero_times))
            for table, size in ((TEAM_MINUTES, MINUTE_MS), (TEAM_QUARTERS, QUARTER_MS))
        )

    def record(self, ev: AgentState) -> None:
        site, agent, ts = ev.site, ev.agent, ev.ts
        key = (site, agent)
        rec = self._rows.get(key)
        if rec is None:
            rec = self._rows[key] = [None, [], None, []]  # fields as in tables.py
        self._dirty.add(key)  # its latest minute changes with nearly every transition
        # Interned, the names compared and keyed by are mostly the same objects.
        reason, team = intern(ev.reason or ""), intern(ev.team)
        transition = [ts, ev.state, reason, team, sorted(ev.queues)]  # fields as in tables.py
        recent: list[list[Any]] = rec[AGENT_RECENT]
        if recent:
            sealed: list[int] = rec[AGENT_MINUTES]
            oldest = sealed[0] if sealed else _minute(recent[0])
            horizon = self._watermarks[site] - self._lateness_ms
            if oldest + MINUTE_MS <= horizon:
                recent = self._trim(key, rec, horizon)
        if not recent:
            last = rec[AGENT_BASE]
            recent.append(transition)
        else:
            last = recent[-1]
            if transition < last:
                self._insert(key, rec, transition)
                return
            # The common case, in time order: the segment from the last transition closes.
            minute = _minute(recent[0])
            if ts - ts % MINUTE_MS != minute:  # a new minute: the latest one becomes a chunk
                chunk_key = (site, agent, minute)
                self._chunks[chunk_key] = recent
                self._dirty_chunks.add(chunk_key)
                rec[AGENT_MINUTES].append(minute)
                rec[AGENT_RECENT] = [transition]
            else:
                recent.append(transition)
        if last is not None:
            self._add(site, last, last[TRANSITION_TS], ts, 1)

    def _insert(self, key: Key, rec: list[Any], transition: list[Any]) -> None:
        """Insert ``transition`` before the agent's last one (never before the base: it is older
        than any accepted event)."""
        site, agent = key
        chunks, sealed, recent = self._chunks, rec[AGENT_MINUTES], rec[AGENT_RECENT]
        ts = transition[TRANSITION_TS]
        minute = ts - ts % MINUTE_MS
        if minute == _minute(recent[0]):
            chunk, at = recent, len(sealed)  # the latest minute, after every chunk
        else:
            chunk_key = (site, agent, minute)
            at = bisect_left(sealed, minute)
            if at == len(sealed) or sealed[at] != minute:
                chunks[chunk_key] = []
                sealed.insert(at, minute)
            chunk = chunks[chunk_key]
            self._dirty_chunks.add(chunk_key)
        i = bisect_right(chunk, transition)
        # A later transition exists: in this minute, or first in the next one.
        if i < len(chunk):
            nxt = chunk[i]
        else:
            nxt = chunks[(site, agent, sealed[at + 1])][0] if at + 1 < len(sealed) else recent[0]
        if i:
            prev = chunk[i - 1]
        else:
            prev = chunks[(site, agent, sealed[at - 1])][-1] if at else rec[AGENT_BASE]
        chunk.insert(i, transition)
        if prev is not None:  # prev → next becomes prev → new, new → next
            self._add(site, prev, ts, nxt[TRANSITION_TS], -1)
        self._add(site, transition, ts, nxt[TRANSITION_TS], 1)

    def _trim(self, key: Key, rec: list[Any], horizon: int) -> list[list[Any]]:
        """Move the transitions of minutes wholly before ``horizon`` into the base; the base's
        run start (``since``) goes back to the first of a run of the same state and reason.
        Returns the latest minute's transitions (none if it moved too)."""
        site, agent = key
        sealed: list[int] = rec[AGENT_MINUTES]
        done = 0
        runs = []
        for minute in sealed:
            if minute + MINUTE_MS > horizon:
                break
            done += 1
            chunk_key = (site, agent, minute)
            runs.append(self._chunks.pop(chunk_key))
            self._dirty_chunks.add(chunk_key)
        del sealed[:done]
        if not sealed and _minute(rec[AGENT_RECENT][0]) + MINUTE_MS <= horizon:
            runs.append(rec[AGENT_RECENT])
            rec[AGENT_RECENT] = []
        base, since = rec[AGENT_BASE], rec[AGENT_SINCE]
        for run in runs:
            for tr in run:
                if base is None or not _same_run(base, tr):
                    since = tr[TRANSITION_TS]
                base = tr
        rec[AGENT_BASE], rec[AGENT_SINCE] = base, since
        recent: list[list[Any]] = rec[AGENT_RECENT]
        return recent

    def _add(self, site: str, here: list[Any], start: int, end: int, sign: int) -> None:
        """Add (``sign`` 1) or subtract (-1) ``[start, end)`` in the state and team of transition
        ``here``: time inside the minute tier to minute buckets, older time to quarter buckets
        (minute buckets roll up into them), and time beyond every window nowhere. The bounds
        only move forward and roll-up moves whole minute buckets, so a subtraction later removes
        exactly what an addition put in."""
        slot = AGENT_TIME_INDEX.get(here[TRANSITION_STATE])
        if slot is None or start >= end:  # time logged out is not staffed time
            return
        minute_lo, quarter_lo = self._kept[site]
        team = here[TRANSITION_TEAM]
        if start < minute_lo:
            self._spread(self._quarters, site, team, slot, sign,
                         max(start, quarter_lo), min(end, minute_lo))  # fmt: skip
        self._spread(self._minutes, site, team, slot, sign, max(start, minute_lo), end)

    def _spread(
        self, tier: _TeamTier, site: str, team: str, slot: int, sign: int, lo: int, hi: int
    ) -> None:
        """Add ``sign`` × ``[lo, hi)`` to ``slot`` of the buckets of ``tier`` it overlaps."""
        if lo >= hi:
            return
        size, rows = tier
        b = lo - lo % size
        start = lo  # where the part in bucket ``b`` starts: ``lo`` in the first, then ``b``
        while b < hi:
            vector = rows.row((site, team, b))
            b += size
            vector[slot] += sign * ((b if b < hi else hi) - start)
            start = b

    def forget_marks(self) -> None:
        """Mark team buckets changed again from here (marked.py)."""
        for _, rows in (self._minutes, self._quarters):
            rows.forget()

    def expire(self, site: str, horizon: int) -> None:
        """Forget agents logged out since before ``horizon``, with their chunks."""
        stale = [key for key, rec in self._rows.items() if key[0] == site and _stale(rec, horizon)]
        self._state.delete_all(
            AGENT_CHUNKS, [(*key, m) for key in stale for m in self._rows[key][AGENT_MINUTES]]
        )
        self._state.delete_all(AGENTS, stale)


def _zero_times() -> list[int]:
    return [0] * len(AGENT_TIME_FIELDS)


def _minute(transition: list[Any]) -> int:
    ts: int = transition[TRANSITION_TS]
    return ts - ts % MINUTE_MS


def _same_run(a: list[Any], b: list[Any]) -> bool:
    same: bool = a[TRANSITION_STATE] == b[TRANSITION_STATE]
    return same and a[TRANSITION_REASON] == b[TRANSITION_REASON]


def _stale(rec: list[Any], horizon: int) -> bool:
    last = current(rec)
    return (
        last is not None
        and last[TRANSITION_STATE] == "logged_out"
        and last[TRANSITION_TS] < horizon
    )


def current(rec: list[Any]) -> list[Any] | None:
    """The agent's latest transition."""
    recent: list[list[Any]] = rec[AGENT_RECENT]
    base: list[Any] | None = rec[AGENT_BASE]
    return recent[-1] if recent else base


def newest_first(chunks: Chunks, key: Key, rec: list[Any]) -> Iterator[list[Any]]:
    """The agent's transitions, latest first: its latest minute, its chunks, then the base."""
    yield from reversed(rec[AGENT_RECENT])
    for minute in reversed(rec[AGENT_MINUTES]):
        yield from reversed(chunks[(*key, minute)])
    if rec[AGENT_BASE] is not None:
        yield rec[AGENT_BASE]


def open_segments(
    chunks: Chunks, key: Key, rec: list[Any], now: int
) -> Iterator[tuple[list[Any], int, int, int]]:
    """(transition, start, end, sign) of what a read at ``now`` adds to the team buckets: the open
    segment from the last transition to ``now`` (sign 1), and closed time after ``now`` that the
    buckets hold (sign -1; none unless ``now`` is before the agent's last transition)."""
    later: list[Any] | None = None
    for tr in newest_first(chunks, key, rec):
        ts = tr[TRANSITION_TS]
        if later is None:
            if ts < now:
                yield tr, ts, now, 1
        elif later[TRANSITION_TS] > now:
            yield tr, max(ts, now), later[TRANSITION_TS], -1
        else:
            return
        later = tr


@dataclass(frozen=True, slots=True)
class AgentNow:
    site: str
    agent: str
    team: str
    state: str
    reason: str
    since: int
    queues: tuple[str, ...]


def live(rows: AgentRows, chunks: Chunks) -> Iterator[AgentNow]:
    """Current state of every agent in ``rows``; ``since`` is the start of the current state run
    (of the same state and reason)."""
    for (site, agent), rec in rows.items():
        last = current(rec)
        if last is None:
            continue
        since = last[TRANSITION_TS]
        for tr in newest_first(chunks, (site, agent), rec):
            if not _same_run(tr, last):
                break
            since = tr[TRANSITION_TS] if tr is not rec[AGENT_BASE] else rec[AGENT_SINCE]
        yield AgentNow(
            site,
            agent,
            last[TRANSITION_TEAM],
            last[TRANSITION_STATE],
            last[TRANSITION_REASON],
            since,
            tuple(last[TRANSITION_QUEUES]),
        )
