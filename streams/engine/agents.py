"""Agent state timelines: live state per agent and time in state per team, order-independent.

Each agent keeps a *base* transition (finalized) and a sorted list of *pending* transitions still
within the allowed lateness. Pending transitions are finalized into the team's time buckets only
once they are older than watermark − lateness, which no accepted event can precede, so any arrival
order of the same events yields the same time in state. Reads add the pending part provisionally.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streams.engine.layout import AGENT_TIME_FIELDS
from streams.engine.windows import MINUTE_MS, QUARTER_MS, Tier, bucket_start, retention_ms
from streams.events.model import AgentState

if TYPE_CHECKING:
    from streams.engine.engine import Engine

_STATE_SLOT = {name: i for i, name in enumerate(AGENT_TIME_FIELDS)}
# Record layout: [base transition or None, pending transitions]
# Transition layout: [ts, state, reason, team, queues]
_BASE, _PENDING = 0, 1


def record(engine: Engine, ev: AgentState) -> None:
    key = (ev.site, ev.agent)
    rows = engine.state.tables["a"]
    engine.state.touch("a", key)
    rec = rows.get(key)
    if rec is None:
        rec = rows[key] = [None, []]
    insort(rec[_PENDING], [ev.ts, ev.state, ev.reason or "", ev.team, sorted(ev.queues)])


def finalize(engine: Engine, site: str, horizon: int) -> None:
    """Move transitions older than ``horizon`` from pending into the team time buckets."""
    rows = engine.state.tables["a"]
    wm = engine.watermarks[site]
    bounds = (
        bucket_start(wm - retention_ms(Tier.MINUTE, engine.lateness_ms), Tier.MINUTE),
        bucket_start(wm - retention_ms(Tier.QUARTER, engine.lateness_ms), Tier.QUARTER),
    )
    for key, rec in rows.items():
        if key[0] != site:
            continue
        pending = rec[_PENDING]
        if not pending or pending[0][0] >= horizon:
            continue
        engine.state.dirty["a"].add(key)
        while pending and pending[0][0] < horizon:
            nxt = pending.pop(0)
            base = rec[_BASE]
            if base is not None and base[1:4] == nxt[1:4]:
                base[4] = nxt[4]  # same state, reason and team: the run (and its start) goes on
                continue
            if base is not None:
                _add_segment(engine, site, base[3], base[1], base[0], nxt[0], bounds)
            rec[_BASE] = nxt


def _add_segment(
    engine: Engine,
    site: str,
    team: str,
    state: str,
    start: int,
    end: int,
    bounds: tuple[int, int],
) -> None:
    """Add ``[start, end)`` in ``state`` to the team's buckets; ``bounds`` are the first minute
    and quarter buckets still kept."""
    slot = _STATE_SLOT.get(state)
    if slot is None or end <= start:
        return  # time logged out is not staffed time
    minute_lo, quarter_lo = bounds
    # Time still inside the minute tier goes to minute buckets, older time straight to quarter
    # buckets (minute buckets roll up into them), and time beyond every window nowhere.
    parts = (
        ("tq", QUARTER_MS, max(start, quarter_lo), min(end, minute_lo)),
        ("tm", MINUTE_MS, max(start, minute_lo), end),
    )
    dirty = engine.state.dirty
    for table, size, lo, hi in parts:
        rows = engine.state.tables[table]
        b = lo - lo % size
        while b < hi:
            overlap = min(hi, b + size) - max(lo, b)
            if overlap > 0:
                key = (site, team, b)
                dirty[table].add(key)
                vector = rows.get(key)
                if vector is None:
                    vector = rows[key] = [0] * len(AGENT_TIME_FIELDS)
                    engine.expiry.add(table, key)
                vector[slot] += overlap
            b += size


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
