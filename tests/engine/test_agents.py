"""Agent timelines: time in state per team from consecutive transitions, the same whether they are
still pending or moved into the base, and whatever order the transitions arrive in."""

from __future__ import annotations

import itertools

from floorboard.engine.layout import AGENT_TIME_FIELDS
from floorboard.engine.tables import AGENT_BASE, AGENTS, TEAM_MINUTES, TRANSITION_TS
from floorboard.engine.views import TeamView
from floorboard.events.model import Event
from tests.engine.helpers import oslo, pending, run, views
from tests.factory import MINUTE, SECOND, T0, config, contact, event

NOW = T0 + 30 * MINUTE


def state(s: int, name: str, agent: str = "a1", team: str = "red", **kw: object) -> Event:
    """``agent`` enters ``name`` at T0 + s seconds."""
    if name == "not_ready":
        kw.setdefault("reason", "break")
    return event("agent.state", T0 + s * SECOND, agent=agent, team=team, state=name, **kw)


def seconds(team: TeamView, window: str = "today") -> dict[str, float]:
    return {n: ms / 1000 for n, ms in zip(AGENT_TIME_FIELDS, team.agent_time[window], strict=True)}


DAY = [
    state(0, "logged_in"),
    state(30, "ready"),
    state(90, "busy"),
    state(270, "acw"),
    state(330, "not_ready"),
    state(430, "ready"),
    state(600, "logged_out"),
]


def test_time_in_state_from_consecutive_transitions() -> None:
    team = views(run(config(), DAY), NOW).teams[("oslo", "red")]
    # ready 30-90 and 430-600, busy 90-270, acw 270-330, not ready 330-430; logged out is
    # not staffed time
    assert seconds(team) == {
        "logged_in": 30, "ready": 60 + 170, "not_ready": 100, "busy": 180, "acw": 60,
    }  # fmt: skip
    assert team.agents == []  # logged out: not on the roster


def test_the_current_state_runs_until_the_read_time() -> None:
    team = views(run(config(), DAY[:3]), T0 + 200 * SECOND).teams[("oslo", "red")]
    assert seconds(team)["busy"] == 110  # since 90 s, read at 200 s
    assert seconds(team, "rolling_15m")["busy"] == 110


def test_closed_segments_are_in_the_buckets_as_they_arrive() -> None:
    engine = run(config(), DAY)  # watermark 10 min after T0: every transition still pending
    sums = [
        sum(column) / 1000
        for column in zip(*engine.state.tables[TEAM_MINUTES].values(), strict=True)
    ]
    assert dict(zip(AGENT_TIME_FIELDS, sums, strict=True)) == {
        "logged_in": 30, "ready": 60 + 170, "not_ready": 100, "busy": 180, "acw": 60,
    }  # fmt: skip


def test_trimming_pending_transitions_into_the_base_changes_no_time() -> None:
    kept = run(config(), DAY)
    trimmed = run(config(), [*DAY, state(1500, "logged_out")])
    # watermark 25 min, lateness 10 min: all of DAY is behind it
    record = trimmed.state.tables[AGENTS][("oslo", "a1")]
    assert record[AGENT_BASE][TRANSITION_TS] == DAY[-1].ts
    assert len(pending(trimmed, "oslo", "a1")) == 1
    assert len(pending(kept, "oslo", "a1")) == len(DAY)
    a = views(kept, NOW).teams[("oslo", "red")]
    b = views(trimmed, NOW).teams[("oslo", "red")]
    assert a.agent_time == b.agent_time


def test_any_order_of_transitions_gives_the_same_time_and_roster() -> None:
    events = [*DAY[:-1], state(30, "ready", agent="a2"), state(200, "busy", agent="a2")]
    expected = views(run(config(), events), NOW).teams[("oslo", "red")]
    for perm in itertools.islice(itertools.permutations(events), 0, None, 97):
        got = views(run(config(), perm), NOW).teams[("oslo", "red")]
        assert (got.agent_time, got.agents) == (expected.agent_time, expected.agents)


def test_roster_shows_state_reason_and_start_of_the_run() -> None:
    events = [
        state(0, "ready", queues=["billing"]),
        state(60, "ready", queues=["billing", "support"]),  # a queue change, still ready
        state(0, "ready", agent="a2"),
        state(120, "not_ready", agent="a2", reason="training"),
    ]
    team = views(run(config(), events), NOW).teams[("oslo", "red")]
    a1, a2 = team.agents
    assert (a1.agent, a1.state, a1.since, a1.queues) == ("a1", "ready", T0, ("billing", "support"))
    assert (a2.agent, a2.state, a2.reason, a2.since) == (
        "a2",
        "not_ready",
        "training",
        T0 + 2 * MINUTE,
    )


def test_roster_since_is_the_same_once_moved_into_the_base() -> None:
    events = [state(0, "ready", queues=["billing"]), state(60, "ready", queues=["support"])]
    # Two more of the run, the last 25 min on: the first two move into the base.
    pushed = [*events, state(1400, "ready", queues=["support"]), state(1500, "ready",
              queues=["support"])]  # fmt: skip
    trimmed = run(config(), pushed)
    assert len(pending(trimmed, "oslo", "a1")) == 2
    assert (
        views(run(config(), events), NOW).teams[("oslo", "red")].agents
        == views(trimmed, NOW).teams[("oslo", "red")].agents
    )


def test_time_is_counted_for_the_team_of_each_transition() -> None:
    events = [state(0, "ready", team="red"), state(60, "ready", team="blue")]
    v = views(run(config(), events), T0 + 120 * SECOND)
    assert seconds(v.teams[("oslo", "red")])["ready"] == 60
    assert seconds(v.teams[("oslo", "blue")])["ready"] == 60


def test_time_across_midnight_is_split_between_the_days() -> None:
    before = oslo(2026, 11, 23, 23, 50)
    events = [
        event("agent.state", before, agent="a1", team="red", state="ready"),
        event("agent.state", before + 20 * MINUTE, agent="a1", team="red", state="logged_out"),
    ]
    team = views(run(config(), events), oslo(2026, 11, 24, 0, 30)).teams[("oslo", "red")]
    assert seconds(team)["ready"] == 10 * 60  # only 00:00-00:10 is today


def test_logged_out_agents_are_forgotten_after_the_ttl() -> None:
    cfg = config(contact_ttl_s=3600, allowed_lateness_s=60, dedup_ttl_s=120)
    engine = run(cfg, [state(0, "ready"), state(60, "logged_out"), state(0, "ready", agent="a2")])
    for i in range(1, 130):
        engine.apply(contact(f"k{i}", T0 + i * MINUTE)[0])
    assert set(engine.state.tables[AGENTS]) == {("oslo", "a2")}  # a2 never logged out
