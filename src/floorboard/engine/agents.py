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
from sys import intern
from typing import TYPE_CHECKING, Any

from floorboard.engine.layout import AGENT_TIME_FIELDS
from floorboard.engine.windows import MINUTE_MS, QUARTER_MS, Tier, bucket_start, retention_ms
from floorboard.events.model import AgentState

if TYPE_CHECKING:
    from floorboard.engine.engine import Engine

_STATE_SLOT = {name: i for i, name in enumerate(AGENT_TIME_FIELDS)}
# Record layout: [base transition or None, pending transitions]
# Transition layout: [ts, state, reason, team, queues]
_BASE, _PENDING = 0, 1


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


def record(engine: Engine, ev: AgentState) -> None:
    key = (ev.site, ev.agent)
    rows = engine.state.tables["a"]
    engine.state.dirty["a"].add(key)
    rec = rows.get(key)
    if rec is None:
        rec = rows[key] = [None, []]
    # Interned, the names finalization compares and keys buckets by are mostly the same objects.
    reason, team = intern(ev.reason or ""), intern(ev.team)
    insort(rec[_PENDING], [ev.ts, ev.state, reason, team, sorted(ev.queues)])
    engine.agents_due.add(ev.site, ev.ts, ev.agent)


def index_pending(engine: Engine) -> None:
    """Rebuild ``engine.agents_due`` from the agent table (after a restore)."""
    for (site, agent), rec in engine.state.tables["a"].items():
        for tr in rec[_PENDING]:
            engine.agents_due.add(site, tr[0], agent)


def finalize(engine: Engine, site: str, horizon: int) -> None:
    """Move transitions older than ``horizon`` from pending into the team time buckets."""
    rows = engine.state.tables["a"]
    dirty = engine.state.dirty["a"]
    wm = engine.watermarks[site]
    bounds = (
        bucket_start(wm - retention_ms(Tier.MINUTE, engine.lateness_ms), Tier.MINUTE),
        bucket_start(wm - retention_ms(Tier.QUARTER, engine.lateness_ms), Tier.QUARTER),
    )
    for _ts, agent in engine.agents_due.pop_due(site, horizon):
        key = (site, agent)
        rec = rows.get(key)
        if rec is None:
            continue  # expired since
        pending = rec[_PENDING]
        if not pending or pending[0][0] >= horizon:
            continue  # already finalized through an earlier entry
        dirty.add(key)
        base = rec[_BASE]
        while pending and pending[0][0] < horizon:
            nxt = pending.pop(0)
            if base is not None and base[1] == nxt[1] and base[2] == nxt[2] and base[3] == nxt[3]:
                base[4] = nxt[4]  # same state, reason and team: the run (and its start) goes on
                continue
            if base is not None:
                slot = _STATE_SLOT.get(base[1])
                if slot is not None:  # time logged out is not staffed time
                    _add_segment(engine, site, base[3], slot, base[0], nxt[0], bounds)
            base = rec[_BASE] = nxt


def _add_segment(
    engine: Engine,
    site: str,
    team: str,
    slot: int,
    start: int,
    end: int,
    bounds: tuple[int, int],
) -> None:
    """Add ``[start, end)`` to ``slot`` of the team's buckets; ``bounds`` are the first minute
    and quarter buckets still kept."""
    if end <= start:
        return
    minute_lo, quarter_lo = bounds
    # Time still inside the minute tier goes to minute buckets, older time straight to quarter
    # buckets (minute buckets roll up into them), and time beyond every window nowhere.
    if start < minute_lo:
        hi = min(end, minute_lo)
        _spread(engine, "tq", QUARTER_MS, site, team, slot, max(start, quarter_lo), hi)
    _spread(engine, "tm", MINUTE_MS, site, team, slot, max(start, minute_lo), end)


def _spread(
    engine: Engine, table: str, size: int, site: str, team: str, slot: int, lo: int, hi: int
) -> None:
    """Add ``[lo, hi)`` to ``slot`` of the team's ``size``-ms buckets it overlaps."""
    rows = engine.state.tables[table]
    dirty = engine.state.dirty[table]
    b = lo - lo % size
    start = lo  # where the part in bucket ``b`` starts: ``lo`` in the first, then ``b``
    while b < hi:
        key = (site, team, b)
        dirty.add(key)
        vector = rows.get(key)
        if vector is None:
            vector = rows[key] = [0] * len(AGENT_TIME_FIELDS)
            engine.expiry.add(table, key)
        b += size
        vector[slot] += (b if b < hi else hi) - start
        start = b


def expire(engine: Engine, site: str, horizon: int) -> None:
    """Forget agents logged out since before ``horizon``."""
    rows = engine.state.tables["a"]
    for key in [k for k, rec in rows.items() if k[0] == site and _stale(rec, horizon)]:
        engine.state.delete("a", key)


def _stale(rec: list[Any], horizon: int) -> bool:
    last = current(rec)
    return last is not None and last[1] == "logged_out" and last[0] < horizon


def current(rec: list[Any]) -> list[Any] | None:
    pending: list[list[Any]] = rec[_PENDING]
    base: list[Any] | None = rec[_BASE]
    return pending[-1] if pending else base


@dataclass(frozen=True, slots=True)
class AgentNow:
    site: str
    agent: str
    team: str
    state: str
    reason: str
    since: int
    queues: tuple[str, ...]


def live(engine: Engine) -> Iterator[AgentNow]:
    """Current state of every known agent; ``since`` is the start of the current state run."""
    for (site, agent), rec in engine.state.tables["a"].items():
        timeline = ([rec[_BASE]] if rec[_BASE] is not None else []) + rec[_PENDING]
        if not timeline:
            continue
        last = timeline[-1]
        since = last[0]
        for tr in reversed(timeline[:-1]):
            if tr[1] != last[1] or tr[2] != last[2]:
                break
            since = tr[0]
        yield AgentNow(site, agent, last[3], last[1], last[2], since, tuple(last[4]))


def provisional_segments(engine: Engine, now: int) -> Iterator[tuple[str, str, str, int, int]]:
    """(site, team, state, start, end) of time not yet finalized: from the base up to ``now``."""
    for (site, _agent), rec in engine.state.tables["a"].items():
        timeline = ([rec[_BASE]] if rec[_BASE] is not None else []) + rec[_PENDING]
        for here, nxt in zip(timeline, [*timeline[1:], None], strict=True):
            yield site, here[3], here[1], here[0], nxt[0] if nxt is not None else now
