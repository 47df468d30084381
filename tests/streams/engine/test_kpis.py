"""Every KPI on a small hand-computed example (values worked out in the comments)."""

from __future__ import annotations

import pytest

from floorboard.config import SlVariant, parse_config
from streams.engine import kpis
from streams.engine.kpis import Status
from tests.factory import BASE_CONFIG, MINUTE, SECOND, T0, config, contact, event
from tests.streams.engine.helpers import queue_figures, run, team_figures, views

NOW = T0 + 5 * MINUTE

# billing/voice, T = 20 s, short abandon ≤ 5 s
#   c1 waits 10 s (≤T), talk 100 + hold 20, ACW 30     c4 abandons after 3 s (short, ≤T)
#   c2 waits 30 s (>T), talk 200,           ACW 60     c5 abandons after 40 s
#   c3 waits 20 s (=T counts as within), talk 60        c6 still waiting
SCENARIO = [
    *contact("c1", T0, wait_s=10, talk_s=100, hold_s=20, acw_s=30),
    *contact("c2", T0 + SECOND, wait_s=30, talk_s=200, acw_s=60),
    *contact("c3", T0 + 2 * SECOND, wait_s=20, talk_s=60),
    *contact("c4", T0 + 3 * SECOND, abandon_s=3),
    *contact("c5", T0 + 4 * SECOND, abandon_s=40),
    *contact("c6", T0 + 60 * SECOND),
    event(
        "contact.transferred", T0 + 40 * SECOND, contact_id="c1", queue="billing",
        channel="voice", agent="a1", team="red", to_queue="support",
    ),
]  # fmt: skip


def test_volumes_rates_and_times() -> None:
    f = queue_figures(run(config(), SCENARIO), NOW)
    assert f["offered"].value == 6
    assert f["answered"].value == 3
    assert f["abandoned"].value == 2
    assert f["short_abandoned"].value == 1
    assert f["abandon_rate"].value == pytest.approx(2 / 6)
    assert f["abandon_rate_excl_short"].value == pytest.approx((2 - 1) / (6 - 1))
    assert f["asa_s"].value == pytest.approx((10 + 30 + 20) / 3)
    assert f["avg_abandon_s"].value == pytest.approx((3 + 40) / 2)
    assert f["transfer_rate"].value == pytest.approx(1 / 3)
    # AHT = mean(talk+hold) over handled + mean ACW over wrap-ups = 380/3 + 90/2
    assert f["aht_s"].value == pytest.approx(380 / 3 + 45)
    assert f["avg_acw_s"].value == pytest.approx(45)


def test_wait_percentiles_interpolate_inside_buckets() -> None:
    f = queue_figures(run(config(), SCENARIO), NOW)
    # waits 10, 20, 30 s in buckets (5,10], (15,20], (20,30]
    # p50: rank 1.5 in (15,20] holding 1 after 1 → 15 + 5·0.5 = 17.5
    # p80: rank 2.4 in (20,30] after 2 → 20 + 10·0.4 = 24; p95: 20 + 10·0.85 = 28.5
    assert f["wait_p50_s"].value == pytest.approx(17.5)
    assert f["wait_p80_s"].value == pytest.approx(24.0)
    assert f["wait_p95_s"].value == pytest.approx(28.5)


@pytest.mark.parametrize(
    ("variant", "expected", "label"),
    [
        (SlVariant.ANSWERED_OF_OFFERED, 2 / 6, "ans≤20s / offered"),
        (SlVariant.ANSWERED_OF_ANSWERED_ABANDONED, 2 / 5, "ans≤20s / (ans+abn)"),
        (SlVariant.ANSWERED_OF_ANSWERED_LONG_ABANDONED, 2 / 4, "ans≤20s / (ans+abn−short)"),
        (SlVariant.ANSWERED_OR_ABANDONED_OF_OFFERED, 3 / 6, "(ans≤20s+abn≤20s) / offered"),
        (SlVariant.ANSWERED_OF_ANSWERED, 2 / 3, "ans≤20s / ans"),
    ],
)
def test_service_level_variants(variant: SlVariant, expected: float, label: str) -> None:
    data = {**BASE_CONFIG, "channels": {"voice": {"sl_threshold_s": 20, "sl_variant": variant}}}
    f = queue_figures(run(parse_config(data), SCENARIO), NOW)
    assert f["service_level"].value == pytest.approx(expected)
    assert f["service_level"].variant == label


def test_short_abandon_threshold_is_configurable() -> None:
    f = queue_figures(run(config(short_abandon_s=2), SCENARIO), NOW)
    assert f["short_abandoned"].value == 0  # the 3 s abandon is no longer short


SURVEYS = [
    event("survey.response", T0 + 4 * MINUTE, contact_id="c1", csat=5, nps=10, fcr=True, ces=2),
    event("survey.response", T0 + 4 * MINUTE, contact_id="c2", csat=3, nps=6, fcr=False, ces=5),
    event("survey.response", T0 + 4 * MINUTE, contact_id="c3", csat=4, nps=8),
    event("qa.evaluation", T0 + 4 * MINUTE, contact_id="c1", score=8, max_score=10, items_passed=4),
    event(
        "qa.evaluation", T0 + 4 * MINUTE, contact_id="c2", score=18, max_score=20, items_failed=1
    ),
]


def test_survey_and_qa_figures_with_intervals() -> None:
    f = queue_figures(run(config(), SCENARIO + SURVEYS), NOW)
    assert f["csat_mean"].value == pytest.approx(4.0)
    # sample variance of 5,3,4 is 1 → 4 ± 1.96·sqrt(1/3)
    assert (f["csat_mean"].low, f["csat_mean"].high) == pytest.approx((2.8684, 5.1316), abs=1e-4)
    assert f["csat_top2"].value == pytest.approx(2 / 3)
    # Wilson 95 % for 2 of 3
    assert (f["csat_top2"].low, f["csat_top2"].high) == pytest.approx((0.2077, 0.9385), abs=1e-4)
    # one promoter (10), one detractor (6), one passive (8) → NPS 0, SE = 100·sqrt((2/3)/3)
    assert f["nps"].value == pytest.approx(0.0)
    assert (f["nps"].low, f["nps"].high) == pytest.approx((-92.39, 92.39), abs=1e-2)
    assert f["fcr_rate"].value == pytest.approx(0.5)
    assert f["ces_mean"].value == pytest.approx(3.5)
    assert f["qa_score"].value == pytest.approx(26 / 30)
    assert f["qa_score"].n == 2
    assert f["responses_per_handled"].value == pytest.approx(3 / 3)
    assert not f["csat_mean"].low_sample  # n = 3 = min_responses
    assert f["fcr_rate"].low_sample  # n = 2 < 3


def test_surveys_attributed_to_the_answering_team() -> None:
    engine = run(config(), SCENARIO + SURVEYS)
    assert team_figures(engine, NOW, "red")["csat_mean"].n == 3


def test_occupancy_from_agent_state_time() -> None:
    states = [
        ("ready", 0), ("busy", 10), ("acw", 130), ("ready", 160),
    ]  # fmt: skip
    events = [
        event("agent.state", T0 + s * SECOND, agent="a1", team="red", state=st, queues=["billing"])
        for st, s in states
    ]
    engine = run(config(), events)
    team = views(engine, NOW).teams[("oslo", "red")]
    # ready 10 + 140 s (until NOW = T0+300 s), busy 120 s, acw 30 s → 150 / 300
    occ = kpis.occupancy(team.agent_time["today"])
    assert occ.value == pytest.approx(0.5)
    assert [a.state for a in team.agents] == ["ready"]
    assert team.agents[0].since == T0 + 160 * SECOND


def test_team_pulse_latest_value_wins() -> None:
    esat = {"team": "red", "metric": "employee_satisfaction"}
    events = [
        event("team.pulse", T0, value=3.9, respondents=8, **esat),
        event("team.pulse", T0 + MINUTE, value=4.2, respondents=9, **esat),
        event("team.pulse", T0, team="red", metric="sick_leave_rate", value=0.04),
    ]
    pulse = views(run(config(), reversed(events)), NOW).teams[("oslo", "red")].pulse
    assert pulse["employee_satisfaction"].value == pytest.approx(4.2)
    assert pulse["employee_satisfaction"].respondents == 9
    assert pulse["sick_leave_rate"].value == pytest.approx(0.04)


def test_spread_needs_enough_agents_and_responses() -> None:
    events = []
    # agents a1..a4 with CSAT 5, 4, 3, 2 on two surveys each; a4 only has one survey
    for i, (agent, score) in enumerate([("a1", 5), ("a2", 4), ("a3", 3), ("a4", 2)]):
        for k in range(2 if agent != "a4" else 1):
            cid = f"s{i}{k}"
            events += contact(cid, T0 + i * SECOND, wait_s=5, agent=agent)
            events.append(event("survey.response", T0 + MINUTE, contact_id=cid, csat=score))
    cfg = config(spread_min_responses=2, spread_min_agents=3)
    team = views(run(cfg, events), NOW).teams[("oslo", "red")]
    result = kpis.spread(team.agent_quality, cfg.engine)
    spread = result["csat_mean"]
    assert spread is not None
    assert (spread.agents, spread.q1, spread.median, spread.q3) == (3, 3.5, 4.0, 4.5)
    assert result["qa_score"] is None  # nobody has QA evaluations
    strict = kpis.spread(
        team.agent_quality, config(spread_min_responses=2, spread_min_agents=4).engine
    )
    assert strict["csat_mean"] is None


def test_agent_quality_keys_are_pseudonyms() -> None:
    events = [*contact("c1", T0, wait_s=5, agent="alice")]
    events.append(event("survey.response", T0 + MINUTE, contact_id="c1", csat=5))
    team = views(run(config(), events), NOW).teams[("oslo", "red")]
    assert len(team.agent_quality) == 1
    assert "alice" not in next(iter(team.agent_quality))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.85, Status.GOOD),
        (0.80, Status.GOOD),
        (0.75, Status.WARN),
        (0.70, Status.ALERT),
        (None, Status.UNKNOWN),
    ],
)
def test_classify_against_target(value: float | None, expected: Status) -> None:
    target = config().target("service_level")
    assert kpis.classify(value, target) is expected


def test_classify_lower_is_better() -> None:
    target = config().target("abandon_rate")  # warn 5 %, alert 8 %
    assert kpis.classify(0.04, target) is Status.GOOD
    assert kpis.classify(0.06, target) is Status.WARN
    assert kpis.classify(0.09, target) is Status.ALERT
