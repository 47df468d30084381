"""Merged views of many partitions: sums, minima, unions and figures from the merged sums; what
a site, team and queue show (the wallboard's KPI decisions)."""

from __future__ import annotations

import pytest

from floorboard.config import Direction, Target
from floorboard.engine.engine import Engine
from floorboard.engine.kpis import Figure, Status
from floorboard.engine.layout import Layout
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import (
    AgentLive,
    AgentRoster,
    Pulse,
    QueueSnapshot,
    SourceStatus,
    TeamSnapshot,
)
from floorboard.engine.views import (
    figure_status,
    figures,
    live_figures,
    long_in_state,
    merge,
    pulse_figures,
    queue_figures,
    served_queues,
    site_figures,
    site_queues,
    synchronous,
    team_figures,
    time_in_state_ms,
)
from floorboard.events.model import Event
from tests.engine.helpers import run, views
from tests.factory import MINUTE, SECOND, T0, config, contact, event

NOW = T0 + 5 * MINUTE
CFG = config()
LAYOUT = Layout(CFG.wait_bounds_ms, CFG.handle_bounds_ms)
SKILLED = ("billing", "support")


def vec(**counts: int) -> list[int]:
    """A cell vector with the named scalars set and every other field zero."""
    v = LAYOUT.zero()
    for name, value in counts.items():
        v[LAYOUT.index[name]] = value
    return v


def agent(name: str, state: str = "ready", since: int = T0) -> AgentLive:
    return AgentLive(name, state, "", since, SKILLED)


def queue(source: str, **kw: object) -> QueueSnapshot:
    fields: dict[str, object] = {
        "source": source, "as_of": T0, "layout": "l", "site": "oslo", "queue": "billing",
        "channel": "voice", "windows": {},
    }  # fmt: skip
    fields.update(kw)
    return QueueSnapshot(**fields)  # type: ignore[arg-type]


def team(source: str, **kw: object) -> TeamSnapshot:
    fields: dict[str, object] = {
        "source": source, "as_of": T0, "layout": "l", "site": "oslo", "team": "red",
        "windows": {}, "agent_time": {}, "on_floor": {}, "skills": [], "agent_quality": {},
        "pulse": {},
    }  # fmt: skip
    fields.update(kw)
    return TeamSnapshot(**fields)  # type: ignore[arg-type]


def roster(source: str, *agents: AgentLive) -> AgentRoster:
    return AgentRoster(source=source, as_of=T0, layout="l", site="oslo", team="red",
                       agents=list(agents))  # fmt: skip


def test_live_queue_parts_sum_and_take_the_oldest() -> None:
    v = merge([
        queue("p0", waiting=2, oldest_wait_ts=T0 + 5, backlog=1, oldest_open_ts=None),
        queue("p1", as_of=T0 + 9, waiting=1, oldest_wait_ts=T0 + 3, backlog=2, oldest_open_ts=T0),
        queue("p2", windows={"today": [1, 1]}),
    ])  # fmt: skip
    q = v.queues[("oslo", "billing", "voice")]
    assert (q.waiting, q.oldest_wait_ts, q.backlog, q.oldest_open_ts) == (3, T0 + 3, 3, T0)
    assert q.windows == {"today": [1, 1]}
    assert v.as_of == T0 + 9


def test_team_parts_union_agents_add_quality_and_keep_the_latest_pulse() -> None:
    v = merge([
        team("p0", on_floor={"ready": 1}, skills=["billing"], agent_quality={"x": [1, 5, 0, 0, 0]},
             pulse={"employee_satisfaction": Pulse(T0, 4.0, 7)}),
        roster("p0", AgentLive("a1", "ready", "", T0)),
        team("p1", on_floor={"ready": 1, "busy": 1}, skills=["sales"],
             agent_quality={"x": [1, 3, 0, 0, 0]},
             pulse={"employee_satisfaction": Pulse(T0, 4.0, 9)}),
        roster("p1", AgentLive("a2", "busy", "", T0)),
        team("p2", pulse={"employee_satisfaction": Pulse(T0 - 1, 5.0, 20)}),
    ])  # fmt: skip
    t = v.teams[("oslo", "red")]
    assert sorted(a.agent for a in t.agents) == ["a1", "a2"]
    assert t.on_floor == {"ready": 2, "busy": 1} and t.skills == {"billing", "sales"}
    assert t.agent_quality == {"x": [2, 8, 0, 0, 0]}
    # latest by time; a tie on time and value goes to the larger respondents, in any order
    assert t.pulse["employee_satisfaction"] == Pulse(T0, 4.0, 9)


def test_status_parts_sum_counters_and_take_the_newest_watermark() -> None:
    v = merge([
        SourceStatus(source="p0", as_of=T0, layout="l", watermarks={"oslo": T0},
                     counters={"applied": 3, "duplicate": 1}),
        SourceStatus(source="p1", as_of=T0, layout="l", watermarks={"oslo": T0 + 7},
                     counters={"applied": 2}),
    ])  # fmt: skip
    assert v.watermarks == {"oslo": T0 + 7}
    assert v.counters == {"applied": 5, "duplicate": 1}


def test_site_totals_sum_queues_not_teams() -> None:
    engine = run(config(), [*contact("c1", T0, wait_s=5, team="red"),
                            *contact("c2", T0, queue="support", wait_s=5, team="red")])  # fmt: skip
    v = views(engine, NOW)
    site = v.site_windows("oslo")["today"]
    assert site[engine.layout.index["answered"]] == 2  # not 4: teams would count them again
    assert v.sites == ["oslo"]


def test_figures_of_the_unattributed_queue_can_be_read() -> None:
    # every reader (/kpi, the JSON report) asks for figures of every queue view, including the
    # unattributed cell, whose channel is empty and has no SL settings
    engine = run(config(), [event("survey.response", T0, contact_id="c1", csat=4, nps=10)])
    key = ("oslo", "", "")
    q = views(engine, NOW).queues[key]
    f = figures(q.windows["today"], engine.config, engine.layout, key)
    assert f["csat_mean"].value == pytest.approx(4.0)
    assert f["nps"].value == pytest.approx(100.0)
    assert f["service_level"].value is None


def test_figures_of_a_merge_are_from_sums_not_averages() -> None:
    # partition 1: 1 of 1 within T; partition 2: 0 of 3 → 1/4 overall, not (1 + 0) / 2
    p1 = run(config(), contact("c1", T0, wait_s=5))
    p2 = run(config(), [*contact("c2", T0, wait_s=50), *contact("c3", T0, wait_s=50),
                        *contact("c4", T0, wait_s=50)])  # fmt: skip
    v = merge([*snapshot(p1, NOW, "p1"), *snapshot(p2, NOW, "p2")])
    key = ("oslo", "billing", "voice")
    engine = Engine(config())
    f = figures(v.queues[key].windows["today"], engine.config, engine.layout, key)
    assert f["service_level"].value == pytest.approx(1 / 4)
    assert f["asa_s"].value == pytest.approx((5 + 50 * 3) / 4)


def served_views() -> list[QueueSnapshot | TeamSnapshot | AgentRoster]:
    """Team red (skilled for billing and support) answers billing and support voice, not the
    support emails; sales and Bergen's billing are someone else's. Offers and abandons sit in the
    queues, not the team."""
    return [
        queue("p0", windows={"today": vec(offered=10, answered=10, answered_within_sl=9)},
              waiting=2, oldest_wait_ts=T0 - 30 * SECOND),
        queue("p0", queue="support", windows={"today": vec(
            offered=30, answered=25, answered_within_sl=15, abandoned=5, short_abandoned=2)},
              waiting=1, oldest_wait_ts=T0 - 50 * SECOND),
        queue("p0", queue="support", channel="email", windows={"today": vec(offered=4)},
              waiting=6, oldest_wait_ts=T0 - 60 * MINUTE, backlog=6),
        queue("p0", queue="sales", windows={"today": vec(offered=100, abandoned=50)}, waiting=9),
        queue("p0", site="bergen", windows={"today": vec(offered=100)}, waiting=9),
        roster("p0", agent("a1"), agent("a2", "busy")),
        team("p0", on_floor={"ready": 1, "busy": 1}, skills=list(SKILLED),
             windows={"today": vec(answered=35, answered_within_sl=24, handled=2, talk_ms=200_000,
                                   wrapups=2, acw_ms=40_000)},
             agent_time={"today": [100_000, 30_000, 0, 60_000, 10_000]},
             agent_quality={"x": [5, 15, 0, 0, 0], "y": [5, 20, 0, 0, 0], "z": [6, 30, 0, 0, 0],
                            "few": [4, 4, 0, 0, 0]},
             pulse={"employee_satisfaction": Pulse(T0, 4.0, 9)},
             answered_queues={"today": [("billing", "voice", 10), ("support", "voice", 25)]}),
    ]  # fmt: skip


def test_team_sl_and_abandons_are_of_the_queues_it_answered_summed_not_averaged() -> None:
    f = team_figures(merge(served_views()), "oslo", "red", "today", CFG, LAYOUT)
    # answered within T over billing and support voice ÷ their summed offers (red answered no
    # support email, so its 4 offers are not red's): (9 + 15) / (10 + 30) = 60 %, not the
    # mean of 9/10 and 15/30 (70 %)
    assert f["service_level"].value == pytest.approx(24 / 40)
    assert f["service_level"].n == 40
    assert f["service_level"].scope == "queues red answered: billing/voice, support/voice"
    assert f["service_level"].variant == "ans≤T(queue) / offered"
    assert (f["offered"].n, f["abandoned"].n, f["short_abandoned"].n) == (40, 5, 2)
    assert f["abandon_rate"].value == pytest.approx(5 / 40)
    assert f["abandon_rate_excl_short"].value == pytest.approx(3 / 38)
    assert f["abandoned"].scope == f["service_level"].scope
    # handling is the team's own: (200 s talk + 40 s ACW) over 2 contacts
    assert f["aht_s"].value == pytest.approx(120.0)


def test_team_live_figures_are_its_call_and_chat_queues() -> None:
    v = merge([*served_views(), queue("p1", as_of=T0 + 10 * SECOND)])
    f = team_figures(v, "oslo", "red", "today", CFG, LAYOUT)
    assert f["waiting"] == Figure(3.0, n=3)  # not the 6 emails, not sales or Bergen
    assert f["longest_wait_s"].value == pytest.approx(60.0)  # support voice, 50 s + 10 s


def test_team_occupancy_agents_spread_and_pulse() -> None:
    f = team_figures(merge(served_views()), "oslo", "red", "today", CFG, LAYOUT)
    assert f["occupancy"].value == pytest.approx((60 + 10) / (30 + 60 + 10))
    assert f["agents_logged_in"].n == 2
    # per-agent CSAT means 3, 4 and 5 ("few" has 4 < spread_min_responses responses):
    # Q1 3.5, Q3 4.5 by linear interpolation
    spread = f["spread_csat_mean"]
    assert (spread.value, spread.low, spread.high, spread.n) == pytest.approx((1.0, 3.5, 4.5, 3))
    assert f["spread_qa_score"].value is None
    pulse = f["employee_satisfaction"]
    assert pulse.value == pytest.approx(4.0)
    assert pulse.n == 9


def test_a_team_without_records_shows_no_figures() -> None:
    f = team_figures(merge(served_views()), "oslo", "nobody", "today", CFG, LAYOUT)
    assert f["service_level"].value is None  # answered nothing, so no queues of its own
    assert f["service_level"].scope == "queues nobody answered: none"
    assert f["waiting"] == Figure(0.0, n=0)
    assert f["occupancy"].value is None
    assert "employee_satisfaction" not in f


def test_served_queues_are_every_channel_of_the_agents_skills_at_the_teams_site() -> None:
    v = merge(served_views())
    served = served_queues(v, v.teams[("oslo", "red")])
    assert sorted((q.site, q.queue, q.channel) for q in served) == [
        ("oslo", "billing", "voice"), ("oslo", "support", "email"), ("oslo", "support", "voice"),
    ]  # fmt: skip
    assert [q.channel for q in synchronous(served)].count("email") == 0


def test_site_queues_are_sorted_without_the_unattributed_cell() -> None:
    v = merge([*served_views(), queue("p0", queue="", channel="")])
    keys = [(q.site, q.queue, q.channel) for q in site_queues(v, "oslo")]
    assert keys == [
        ("oslo", "billing", "voice"), ("oslo", "sales", "voice"), ("oslo", "support", "email"),
        ("oslo", "support", "voice"),
    ]  # fmt: skip
    assert [q.channel for q in site_queues(v, "oslo", "support")] == ["email", "voice"]


def test_one_queues_channels_are_summed_before_the_ratio() -> None:
    v = merge([
        queue("p0", windows={"today": vec(offered=10, answered_within_sl=9)}, waiting=2),
        queue("p0", channel="chat", windows={"today": vec(offered=30, answered_within_sl=15)},
              waiting=1),
        queue("p0", channel="email", windows={"today": vec(offered=5)}, waiting=7),
        queue("p0", queue="support", windows={"today": vec(offered=50)}, waiting=4),
    ])  # fmt: skip
    f = site_figures(v, "oslo", "today", CFG, LAYOUT, queue="billing")
    assert f["service_level"].value == pytest.approx(24 / 45)  # not (0.9 + 0.5 + 0) / 3
    assert f["waiting"].n == 3  # voice and chat; email waits hours by design
    assert site_figures(v, "oslo", "today", CFG, LAYOUT)["waiting"].n == 7


def test_site_figures_include_the_unattributed_cell_and_every_teams_pulse() -> None:
    v = merge([
        queue("p0", windows={"today": vec(csat_n=1, csat_sum=2)}),
        queue("p0", queue="", channel="", windows={"today": vec(csat_n=2, csat_sum=10)}),
        team("p0", pulse={"employee_satisfaction": Pulse(T0, 4.0, 9)}),
        team("p0", team="blue", pulse={"employee_satisfaction": Pulse(T0, 3.0, 1)}),
        team("p0", site="bergen", team="x", pulse={"employee_satisfaction": Pulse(T0, 1.0, 99)}),
    ])  # fmt: skip
    f = site_figures(v, "oslo", "today", CFG, LAYOUT)
    assert f["csat_mean"].value == pytest.approx((2 + 10) / 3)
    pulse = f["employee_satisfaction"]
    assert pulse.value == pytest.approx((4.0 * 9 + 3.0 * 1) / (9 + 1))  # Bergen's is not
    assert pulse.n == 10


def test_pulse_is_weighted_by_respondents_and_a_team_reporting_none_weighs_one() -> None:
    v = merge([
        team("p0", pulse={"employee_satisfaction": Pulse(T0, 4.0, 3),
                          "sick_leave_rate": Pulse(T0, 0.02, 0)}),
        team("p0", team="green", pulse={"employee_satisfaction": Pulse(T0, 5.0, 0)}),
    ])  # fmt: skip
    f = pulse_figures(v.teams.values())
    esat, sick = f["employee_satisfaction"], f["sick_leave_rate"]
    assert esat.value == pytest.approx((4.0 * 3 + 5.0 * 1) / (3 + 1))
    assert esat.n == 3
    assert sick.value == pytest.approx(0.02)
    assert sick.n == 0
    assert pulse_figures([]) == {}


def test_live_figures_sum_waiting_and_take_the_oldest_wait() -> None:
    v = merge([
        queue("p0", as_of=T0 + 62 * SECOND, waiting=2, oldest_wait_ts=T0 + 5 * SECOND),
        queue("p0", channel="chat", waiting=1, oldest_wait_ts=T0 + 2 * SECOND),
        queue("p0", queue="support", waiting=0),
    ])  # fmt: skip
    f = live_figures(v.queues.values(), v.as_of)
    assert f["waiting"] == Figure(3.0, n=3)
    assert f["longest_wait_s"].value == pytest.approx(60.0)
    assert live_figures([], v.as_of)["longest_wait_s"].value is None
    # a wait stamped after the read time (clock skew between sources) is no wait, not negative
    assert live_figures(v.queues.values(), T0)["longest_wait_s"].value == 0.0


def test_queue_figures_use_the_queues_own_sl_and_its_live_wait_whatever_the_channel() -> None:
    v = merge([
        queue("p0", as_of=T0 + 2 * MINUTE, channel="email", oldest_wait_ts=T0, waiting=3,
              windows={"today": vec(offered=9, answered=4, answered_within_sl=2)}),
    ])  # fmt: skip
    f = queue_figures(v, v.queues[("oslo", "billing", "email")], "today", CFG, LAYOUT)
    assert f["service_level"].value == pytest.approx(2 / 4)  # email: answered_of_answered
    assert f["service_level"].variant == "ans≤3600s / ans"
    assert f["waiting"].n == 3
    assert f["longest_wait_s"].value == pytest.approx(120.0)


def test_figure_status_does_not_judge_a_low_sample() -> None:
    target = Target(good=Direction.HIGHER, warn=4.2, alert=3.8)
    assert figure_status(Figure(3.0, n=2, low_sample=True), target) is Status.UNKNOWN
    assert figure_status(Figure(3.0, n=20), target) is Status.ALERT
    assert figure_status(Figure(4.0, n=20), target) is Status.WARN
    assert figure_status(Figure(4.2, n=20), target) is Status.GOOD
    assert figure_status(Figure(4.2, n=20), None) is Status.UNKNOWN


@pytest.mark.parametrize(
    ("state", "minutes", "long"),
    [("not_ready", 15, False), ("not_ready", 16, True), ("acw", 3, False), ("acw", 4, True),
     ("busy", 90, False), ("ready", 90, False)],
)  # fmt: skip
def test_long_in_state_after_15_minutes_not_ready_or_3_minutes_acw(
    state: str, minutes: int, long: bool
) -> None:
    a = agent("a1", state, since=T0)
    assert time_in_state_ms(a, T0 + minutes * MINUTE) == minutes * MINUTE
    assert long_in_state(a, T0 + minutes * MINUTE) is long


def test_time_in_state_is_never_negative() -> None:
    assert time_in_state_ms(agent("a1", since=T0 + SECOND), T0) == 0


def test_occupancy_counts_acw_as_working_and_leaves_not_ready_out_for_team_and_site() -> None:
    def at(s: int, agent: str, team: str, state: str) -> Event:
        reason = {"reason": "training"} if state == "not_ready" else {}
        return event("agent.state", T0 + s * SECOND, agent=agent, team=team, state=state,
                     **reason)  # fmt: skip

    events = [
        # red: ready 540 s, busy 480 s, ACW 120 s, then not ready 300 s until the read
        at(0, "a1", "red", "ready"), at(540, "a1", "red", "busy"), at(1020, "a1", "red", "acw"),
        at(1140, "a1", "red", "not_ready"),
        # blue: ready 100 s, busy 200 s, then not ready 1140 s
        at(0, "a2", "blue", "ready"), at(100, "a2", "blue", "busy"),
        at(300, "a2", "blue", "not_ready"),
    ]  # fmt: skip
    engine = run(config(), sorted(events, key=lambda e: e.ts))
    v = views(engine, T0 + 1440 * SECOND)
    red = team_figures(v, "oslo", "red", "today", engine.config, engine.layout)
    # (480 + 120) / (540 + 480 + 120) = 600 / 1140
    assert red["occupancy"].value == pytest.approx(600 / 1140)
    assert red["occupancy"].value == pytest.approx(0.526, abs=5e-4)
    assert red["occupancy"].n == 1140
    site = site_figures(v, "oslo", "today", engine.config, engine.layout)
    # summed before the ratio: (600 + 200) / (1140 + 300) = 800 / 1440, not the mean of teams
    assert site["occupancy"].value == pytest.approx(800 / 1440)
    assert site["agents_logged_in"] == Figure(2, n=2)


def test_team_answered_queues_add_up_across_partitions() -> None:
    p1 = run(config(), contact("c1", T0, wait_s=5, team="red"))
    p2 = run(config(), [*contact("c2", T0, wait_s=50, team="red"),
                        *contact("c3", T0, wait_s=5, queue="support", team="blue")])  # fmt: skip
    v = merge([*snapshot(p1, NOW, "p1"), *snapshot(p2, NOW, "p2")])
    assert v.teams[("oslo", "red")].answered_queues["today"] == {("billing", "voice"): 2}
    red = team_figures(v, "oslo", "red", "today", CFG, LAYOUT)
    # red answered billing only: billing's 1 within T of 2 offered, support is blue's
    assert red["service_level"].value == pytest.approx(1 / 2)
    assert red["service_level"].scope == "queues red answered: billing/voice"
