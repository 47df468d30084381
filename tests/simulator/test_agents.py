"""Agents: a plausible state machine, shifts with breaks and reasons, no-shows, any run length."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from floorboard.events import model as m
from floorboard.simulator import SCENARIOS
from floorboard.simulator.agents import UNPLANNED_REASONS
from tests.simulator.helpers import HOUR, MONDAY_7, day, example

# Which state may follow which. busy → ready/not_ready/logged_out happen when wrap-up is zero;
# not_ready → not_ready is a new reason straight after the last (a break after coaching).
NEXT: dict[str, set[str]] = {
    "logged_in": {"ready"},
    "ready": {"busy", "not_ready", "logged_out"},
    "busy": {"acw", "ready", "not_ready", "logged_out"},
    "acw": {"ready", "not_ready", "logged_out"},
    "not_ready": {"ready", "not_ready", "logged_out"},
    "logged_out": {"logged_in"},
}


def test_agent_states_follow_the_state_machine() -> None:
    events = day(hours=14)  # 07:00 to 21:00: every shift starts and ends
    last: dict[str, m.AgentState] = {}
    for e in events:
        if isinstance(e, m.AgentState):
            before = last.get(e.agent)
            if before is None:
                assert e.state == "logged_in"
            else:
                assert e.state in NEXT[before.state], (e.agent, before.state, e.state)
            last[e.agent] = e
        elif isinstance(e, m.ContactAnswered):
            # a contact only reaches an agent who is ready (busy follows at the same instant)
            assert last[e.agent].state == "ready"
    assert len(last) == 39
    assert {e.state for e in last.values()} == {"logged_out"}


def test_shifts_have_breaks_lunch_and_unplanned_not_ready_time() -> None:
    reasons = Counter(
        e.reason for e in day(hours=14) if isinstance(e, m.AgentState) and e.state == "not_ready"
    )
    # each of 39 agents has two breaks and lunch; a break due mid-contact starts after wrap-up
    assert reasons["break"] == 2 * 39
    assert reasons["lunch"] == 39
    unplanned = sum(reasons[r] for r in UNPLANNED_REASONS)
    assert 20 < unplanned < 100  # about 1.5 a shift, minus overlaps with breaks


def test_shifts_are_staggered_from_seven() -> None:
    zone = example().sites["oslo"].zone
    logins = [
        dt.datetime.fromtimestamp(e.ts / 1000, tz=zone).time()
        for e in day(hours=14)
        if isinstance(e, m.AgentState) and e.state == "logged_in"
    ]
    assert len(logins) == 39
    # front-loaded for the morning ramp: five of every eight have started by 08:30
    starts = Counter(logins)
    assert sorted(starts) == [dt.time(7), dt.time(7, 30), dt.time(8), dt.time(8, 30),
                              dt.time(9, 30), dt.time(10)]  # fmt: skip
    assert starts[dt.time(8)] == starts[dt.time(8, 30)] == 10


def test_no_shows_mean_fewer_agents() -> None:
    def logged_in(name: str) -> int:
        return len({e.agent for e in day(name, hours=4) if isinstance(e, m.AgentState)})

    # 39 agents start between 07:00 and 10:00; a quarter (10) of them stay away
    assert logged_in("normal") == 39
    assert logged_in("no_shows") == 29


def test_shifts_keep_coming_however_long_the_run() -> None:
    quiet = SCENARIOS["normal"].replace(agents_per_team=1, rate_factor=0.05)
    zone = example().sites["oslo"].zone
    days = Counter(
        dt.datetime.fromtimestamp(e.ts / 1000, tz=zone).date()
        for e in day(quiet, hours=10 * 24, start=MONDAY_7 - 7 * HOUR)
        if isinstance(e, m.AgentState) and e.state == "logged_in"
    )
    assert len(days) == 10 and set(days.values()) == {3}


def test_agents_report_their_skills() -> None:
    per_team: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for e in day(hours=4):
        if isinstance(e, m.AgentState):
            per_team[e.team].add(e.queues)
    assert sorted(per_team) == ["blue", "green", "red"]
    all_queues = tuple(example().sites["oslo"].queues)
    for team, sets in per_team.items():
        specialised = sets - {all_queues}
        assert len(specialised) == 1, team  # a team's specialists share its skills
        assert len(next(iter(specialised))) == len(all_queues) - 1
