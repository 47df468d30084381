"""Team agent time as read: the finalized buckets plus every provisional segment clipped to each
window, summed through sorted bounds, equals clipping and adding the segments one by one."""

from __future__ import annotations

import random
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.engine import agents
from floorboard.engine.engine import Engine
from floorboard.engine.layout import AGENT_TIME_FIELDS, AGENT_TIME_INDEX, Vector
from floorboard.engine.read import team_agent_time
from floorboard.engine.tables import AGENTS
from floorboard.engine.windows import WINDOWS, Window, window_span
from floorboard.events.model import Event
from tests.engine.helpers import feed
from tests.engine.strategies import LATEST_S, SPAN_S, arrival_order, centre_events
from tests.factory import MINUTE, SECOND, T0, config, event

LATENESS_S = 600
CFG = config(allowed_lateness_s=LATENESS_S)


def one_by_one(engine: Engine, now: int) -> dict[tuple[str, str], dict[Window, Vector]]:
    """The provisional part of ``team_agent_time``, each segment clipped to each window."""
    out: dict[tuple[str, str], dict[Window, Vector]] = defaultdict(dict)
    for site, team, state, start, end in agents.provisional_segments(
        engine.state.tables[AGENTS], now
    ):
        slot = AGENT_TIME_INDEX.get(state)
        if slot is None:
            continue
        for window in WINDOWS:
            span = window_span(window, now, engine.config.sites[site].zone)
            lo, hi = max(start, span.start), min(end, span.end, now)
            if hi > lo:
                vector = out[(site, team)].setdefault(window, [0] * len(AGENT_TIME_FIELDS))
                vector[slot] += hi - lo
    return out


def assert_reads_one_by_one(engine: Engine, now: int) -> None:
    read = team_agent_time(engine, now)
    provisional = one_by_one(engine, now)
    finalized = team_agent_time(_without_agents(engine), now)
    for key in set(read) | set(provisional) | set(finalized):
        for window in WINDOWS:
            parts = [p[key][window] for p in (provisional, finalized) if window in p.get(key, {})]
            want = [sum(column) for column in zip(*parts, strict=True)] if parts else None
            assert read.get(key, {}).get(window) == want, (key, window)


def _without_agents(engine: Engine) -> Engine:
    """The same finalized buckets without the agent records, so without provisional time."""
    copy = Engine(CFG)
    for name, rows in engine.state.tables.items():
        if name != AGENTS:
            copy.state.tables[name].update(rows)
    return copy


@settings(max_examples=60, deadline=None)
@given(centre_events(), st.randoms(), st.integers(0, 100), st.integers(-30, LATEST_S // 60))
def test_provisional_time_summed_through_sorted_bounds_equals_segment_by_segment(
    events: list[Event], rnd: random.Random, cut_percent: int, read_minute: int
) -> None:
    engine = Engine(CFG)
    # Part of the stream, read before, during or after it: transitions pending before and after
    # the read time, open segments, finalized buckets.
    arrived = arrival_order(events, rnd, LATENESS_S * SECOND)
    feed(engine, arrived[: len(arrived) * cut_percent // 100])
    assert_reads_one_by_one(engine, T0 + read_minute * MINUTE + rnd.randint(0, MINUTE - 1))


def test_many_overlapping_segments_with_tied_bounds_read_the_same() -> None:
    rnd = random.Random(7)
    states = ("ready", "busy", "acw", "not_ready", "logged_out")
    engine = Engine(CFG)
    feed(engine, sorted(
        (event("agent.state", T0 + rnd.randint(0, SPAN_S // 60) * MINUTE, agent=f"a{i % 40}",
               team=("red", "blue")[i % 2], state=states[i % len(states)],
               reason="break" if states[i % len(states)] == "not_ready" else None)
         for i in range(2000)),
        key=lambda e: e.ts,
    ))  # fmt: skip
    for now in (T0 + 30 * MINUTE, T0 + SPAN_S * SECOND, T0 + (SPAN_S + 3 * 3600) * SECOND):
        assert_reads_one_by_one(engine, now)
