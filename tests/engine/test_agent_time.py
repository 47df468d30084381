"""Team agent time as read equals a reference computed from each agent's final sorted timeline,
whatever order the transitions arrived in: closed segments go into the team buckets as they
arrive (a late transition moves time from the one before it into its own state), and a read adds
only each agent's open segment."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.engine.engine import Engine
from floorboard.engine.layout import AGENT_TIME_FIELDS, AGENT_TIME_INDEX, Vector
from floorboard.engine.read import team_agent_time
from floorboard.engine.state import decode_key
from floorboard.engine.tables import AGENT_CHUNKS, AGENTS, TEAM_QUARTERS
from floorboard.engine.windows import WINDOWS, Window, window_span
from floorboard.events.model import AgentState, Event
from tests.engine.helpers import pending
from tests.engine.strategies import LATEST_S, arrival_order, centre_events, reversed_within
from tests.factory import MINUTE, SECOND, T0, config, contact, event

LATENESS_S = 600
CFG = config(allowed_lateness_s=LATENESS_S)
HOUR = 60 * MINUTE

TeamTime = dict[tuple[str, str], dict[str, Vector]]


def apply(engine: Engine, events: Sequence[Event]) -> list[AgentState]:
    """Apply ``events``; the agent transitions the engine accepted."""
    accepted = []
    for ev in events:
        if engine.apply(ev) == "applied" and isinstance(ev, AgentState):
            accepted.append(ev)
    return accepted


def reference(engine: Engine, accepted: list[AgentState], now: int) -> TeamTime:
    """Each agent's transitions sorted as the engine compares them; each segment to the next
    transition (the last one to ``now``) clipped to each window's ``[start, min(end, now))``."""
    timelines: dict[tuple[str, str], list[tuple[int, str, str, str, list[str]]]] = defaultdict(list)
    for ev in accepted:
        transition = (ev.ts, ev.state, ev.reason or "", ev.team, sorted(ev.queues))
        timelines[(ev.site, ev.agent)].append(transition)
    out: TeamTime = defaultdict(dict)
    for (site, _agent), timeline in timelines.items():
        timeline.sort()
        zone = engine.config.sites[site].zone
        for here, nxt in itertools.zip_longest(timeline, timeline[1:]):
            ts, state, _reason, team, _queues = here
            slot = AGENT_TIME_INDEX.get(state)
            if slot is None:
                continue
            end = nxt[0] if nxt is not None else now
            for window in WINDOWS:
                span = window_span(window, now, zone)
                lo, hi = max(ts, span.start), min(end, span.end, now)
                if hi > lo:
                    vector = out[(site, team)].setdefault(window, [0] * len(AGENT_TIME_FIELDS))
                    vector[slot] += hi - lo
    return dict(out)


def assert_reads_reference(engine: Engine, accepted: list[AgentState], now: int) -> TeamTime:
    read = team_agent_time(engine, now)
    assert read == reference(engine, accepted, now)
    return read


def same_in_every_order(events: Sequence[Event], now: int) -> TeamTime:
    """The read at ``now``, equal to the reference and the same for every arrival order."""
    reads = []
    for order in itertools.permutations(events):
        engine = Engine(CFG)
        reads.append(assert_reads_reference(engine, apply(engine, order), now))
    assert all(read == reads[0] for read in reads)
    return reads[0]


def state(minute: float, name: str, agent: str = "a1", team: str = "red") -> Event:
    reason = "break" if name == "not_ready" else None
    return event("agent.state", T0 + round(minute * MINUTE), agent=agent, team=team, state=name,
                 reason=reason)  # fmt: skip


def push(minute: float) -> list[Event]:
    """A contact that moves the watermark to ``minute``."""
    return contact(f"push{minute}", T0 + round(minute * MINUTE))[:1]


@settings(max_examples=60, deadline=None)
@given(centre_events(), st.randoms(), st.integers(0, 100), st.integers(-30, LATEST_S // 60))
def test_a_read_at_any_time_of_part_of_the_stream_equals_the_sorted_timeline(
    events: list[Event], rnd: random.Random, cut_percent: int, read_minute: int
) -> None:
    # Read during or after the events fed: transitions after the read time, open segments,
    # time rolled up into quarters and time past every window. A read is exact from watermark
    # − lateness on: earlier transitions may be merged into the base already.
    engine = Engine(CFG)
    arrived = arrival_order(events, rnd, LATENESS_S * SECOND)
    accepted = apply(engine, arrived[: len(arrived) * cut_percent // 100])
    now = T0 + read_minute * MINUTE + rnd.randint(0, MINUTE - 1)
    earliest = max(engine.watermarks.values(), default=now) - LATENESS_S * SECOND
    assert_reads_reference(engine, accepted, max(now, earliest))


@settings(max_examples=40, deadline=None)
@given(centre_events(), st.randoms(), st.integers(0, LATEST_S // 60))
def test_any_arrival_order_gives_the_same_team_time(
    events: list[Event], rnd: random.Random, read_minute: int
) -> None:
    now = T0 + read_minute * MINUTE + rnd.randint(0, MINUTE - 1)
    now = max(now, max(e.ts for e in events) - LATENESS_S * SECOND)  # exact from there on
    reads = []
    by_time = sorted(events, key=lambda e: e.ts)
    for order in (by_time, reversed_within(events, LATENESS_S * SECOND),
                  arrival_order(events, rnd, LATENESS_S * SECOND)):  # fmt: skip
        engine = Engine(CFG)
        reads.append(assert_reads_reference(engine, apply(engine, order), now))
    assert reads[0] == reads[1] == reads[2]


def test_a_late_transition_moves_the_time_up_to_the_next_into_its_own_state() -> None:
    # All within the lateness, so every order is accepted: not ready at 5 min splits busy.
    events = [state(0, "ready"), state(4, "busy"), state(5, "not_ready"), state(6, "acw"),
              state(7, "ready")]  # fmt: skip
    now = T0 + 10 * MINUTE
    expected = {"ready": (4 + 3) * MINUTE, "busy": MINUTE, "not_ready": MINUTE, "acw": MINUTE,
                "logged_in": 0}  # fmt: skip
    for order in itertools.permutations(events):
        engine = Engine(CFG)
        accepted = apply(engine, order)
        read = assert_reads_reference(engine, accepted, now)[("oslo", "red")][Window.TODAY]
        assert dict(zip(AGENT_TIME_FIELDS, read, strict=True)) == expected


def test_late_transitions_between_and_within_minute_chunks_in_any_arrival_order() -> None:
    # Pending transitions are kept in one chunk per minute: a late one may start a chunk between
    # two others, or land inside one, with its neighbours in other chunks.
    events = [state(0, "ready"), state(3, "busy"), state(3.5, "acw"), state(5, "not_ready"),
              state(5.5, "ready"), state(6.2, "busy")]  # fmt: skip
    same_in_every_order(events, T0 + 10 * MINUTE)


@pytest.mark.parametrize("later", [[], [state(2.5, "ready")]], ids=["latest", "chunk"])
def test_only_minutes_wholly_behind_the_lateness_move_into_the_base(later: list[Event]) -> None:
    # Watermark 11.5 min: 1.5 min is the earliest time still accepted. The minute from 0 moves
    # into the base; the minute from 1 (the agent's latest, or a chunk when a later minute
    # follows) keeps 1.2 and 1.8, so 1.6 still goes between them.
    engine = Engine(CFG)
    events = [state(0.5, "ready"), state(1.2, "busy"), state(1.8, "acw"), *later, *push(11.5),
              state(1.6, "not_ready")]  # fmt: skip
    accepted = apply(engine, events)
    assert len(accepted) == 4 + len(later)
    assert [tr[0] for tr in pending(engine, "oslo", "a1")] == [
        T0 + round(m * MINUTE) for m in (1.2, 1.6, 1.8, 2.5)[: 3 + len(later)]
    ]
    assert_reads_reference(engine, accepted, T0 + 12 * MINUTE)


def test_a_checkpoint_writes_the_agents_latest_minute_and_each_earlier_minute_once() -> None:
    engine = Engine(CFG)
    accepted = apply(engine, [state(m / 4, "ready" if m % 2 else "busy") for m in range(36)])
    checkpoints = [engine.checkpoint(0)]
    agent_keys = []
    for offset, minute in enumerate((8.9, 9.1, 9.2), 1):  # the same minute, a new one, the same
        accepted += apply(engine, [state(minute, "acw")])
        checkpoints.append(engine.checkpoint(offset))
        changed = [decode_key(k)[1:] for k, _ in checkpoints[-1].changes]
        agent_keys.append(sorted(key for key in changed if key[0] in (AGENTS, AGENT_CHUNKS)))
    record = (AGENTS, "oslo", "a1")
    assert agent_keys == [[record], sorted([record, (AGENT_CHUNKS, "oslo", "a1", T0 + 8 * MINUTE)]),
                          [record]]  # fmt: skip
    # The checkpoints before the last as the compacted table, the last on top: the same timeline.
    table = [(k, v) for c in checkpoints[:-1] for k, v in c.changes if v is not None]
    restored = Engine(CFG)
    restored.restore(table, checkpoints[-1])
    assert pending(restored, "oslo", "a1") == pending(engine, "oslo", "a1")
    assert_reads_reference(restored, accepted, T0 + 10 * MINUTE)


def test_transitions_at_the_same_time_order_the_same_in_any_arrival_order() -> None:
    # Three at 5 min: whichever sorts last runs until 8 min; the others last no time.
    tied = [state(5, "busy"), state(5, "acw"), state(5, "not_ready")]
    events = [state(0, "ready"), *tied, state(8, "ready")]
    read = same_in_every_order(events, T0 + 10 * MINUTE)
    today = dict(zip(AGENT_TIME_FIELDS, read[("oslo", "red")][Window.TODAY], strict=True))
    assert today["ready"] == (5 + 2) * MINUTE
    assert sum(today[s] for s in ("busy", "acw", "not_ready")) == 3 * MINUTE


def test_a_transition_before_the_lateness_is_refused_and_changes_nothing() -> None:
    engine = Engine(CFG)
    accepted = apply(engine, [state(0, "ready"), state(100, "busy"), state(100.5, "acw")])
    before = team_agent_time(engine, T0 + 101 * MINUTE)
    assert engine.apply(state(89, "not_ready")) == "too_late"  # 11 min behind the watermark
    assert team_agent_time(engine, T0 + 101 * MINUTE) == before
    assert_reads_reference(engine, accepted, T0 + 101 * MINUTE)
    # The watermark is 100.5 min: what lies behind 90.5 min is in the base, not pending.
    assert len(pending(engine, "oslo", "a1")) == 2


def test_a_segment_closed_after_its_minutes_rolled_up_counts_once_in_each_tier() -> None:
    # Ready from 0 to 200 min, closed late (a busy at 195 min arriving after 200 min): its first
    # 2 h 10 min are older than the minute tier by then, so they go to quarter buckets, and the
    # late busy moves the last 5 min, still in minute buckets, out of ready.
    engine = Engine(CFG)
    events = [state(0, "ready"), *push(150), state(200, "acw"), state(195, "busy")]
    accepted = apply(engine, events)
    assert engine.state.tables[TEAM_QUARTERS]  # the quarter tier holds part of it
    for minute in (196, 201, 230, 320):
        read = assert_reads_reference(engine, accepted, T0 + minute * MINUTE)
        # "today": 09:00 to the read, all of it held
        today = dict(zip(AGENT_TIME_FIELDS, read[("oslo", "red")][Window.TODAY], strict=True))
        assert today["ready"] == 195 * MINUTE
        assert today["busy"] == min(minute - 195, 5) * MINUTE


def test_many_agents_with_tied_transitions_read_the_reference() -> None:
    rnd = random.Random(7)
    states = ("ready", "busy", "acw", "not_ready", "logged_out")
    events = [
        event("agent.state", T0 + rnd.randint(0, 180) * MINUTE, agent=f"a{i % 40}",
              team=("red", "blue")[i % 2], state=states[i % len(states)],
              reason="break" if states[i % len(states)] == "not_ready" else None)
        for i in range(2000)
    ]  # fmt: skip
    engine = Engine(CFG)
    accepted = apply(engine, arrival_order(events, rnd, LATENESS_S * SECOND))
    for now in (T0 + 175 * MINUTE, T0 + 3 * HOUR, T0 + 6 * HOUR):  # from watermark − lateness
        assert_reads_reference(engine, accepted, now)
