"""Every KPI on a small hand-computed example (values worked out in the comments)."""

from __future__ import annotations

from typing import Any

import pytest

from floorboard.config import SlVariant, parse_config
from floorboard.engine import kpis
from floorboard.engine.engine import Engine
from floorboard.engine.kpis import Figure, Status
from floorboard.engine.views import figures
from floorboard.events.model import Event
from tests.engine.helpers import oslo, queue_figures, run, team_figures, views
from tests.factory import BASE_CONFIG, MINUTE, SECOND, T0, config, contact, event

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


def with_channels(**channels: Any) -> dict[str, Any]:
    return {**BASE_CONFIG, "channels": channels}


# --- production ---


def test_volumes_rates_and_times() -> None:
    f = queue_figures(run(config(), SCENARIO), NOW)
    assert (f["offered"].value, f["answered"].value, f["abandoned"].value) == (6, 3, 2)
    assert f["short_abandoned"].value == 1
    assert f["abandon_rate"].value == pytest.approx(2 / 6)
    assert f["abandon_rate_excl_short"].value == pytest.approx((2 - 1) / (6 - 1))
    assert f["asa_s"].value == pytest.approx((10 + 30 + 20) / 3)
    assert f["avg_abandon_s"].value == pytest.approx((3 + 40) / 2)
    assert f["transfer_rate"].value == pytest.approx(1 / 3)  # transferred ÷ answered
    # AHT = mean(talk+hold) over handled + mean ACW over wrap-ups = 380/3 + 90/2
    assert f["aht_s"].value == pytest.approx(380 / 3 + 45)
    assert f["avg_acw_s"].value == pytest.approx(45)


@pytest.mark.parametrize(
    ("short_s", "short", "excl_short"),
    [
        (2, 0, 2 / 6),  # neither abandon is short
        (3, 1, 1 / 5),  # 3 s ≤ 3 s is short
        (40, 2, 0 / 4),  # both are short
    ],
)
def test_short_abandon_threshold_is_configurable(
    short_s: int, short: int, excl_short: float
) -> None:
    f = queue_figures(run(config(short_abandon_s=short_s), SCENARIO), NOW)
    assert f["short_abandoned"].value == short
    assert f["abandon_rate"].value == pytest.approx(2 / 6)  # unaffected
    assert f["abandon_rate_excl_short"].value == pytest.approx(excl_short)


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
    # within T: c1 (10 s) and c3 (20 s) answered, c4 (3 s) abandoned; c2 (30 s), c5 (40 s) not
    cfg = parse_config(with_channels(voice={"sl_threshold_s": 20, "sl_variant": variant}))
    f = queue_figures(run(cfg, SCENARIO), NOW)
    assert f["service_level"].value == pytest.approx(expected)
    assert f["service_level"].variant == label


def test_queue_override_sets_threshold_and_variant() -> None:
    data = {**BASE_CONFIG, "sites": {"oslo": {**BASE_CONFIG["sites"]["oslo"], "queues": {
        "billing": {"channels": ["voice"], "overrides": {
            "voice": {"sl_threshold_s": 30, "sl_variant": "answered_of_answered"}}},
    }}}}  # fmt: skip
    f = queue_figures(run(parse_config(data), SCENARIO), NOW)
    # with T = 30 s all three answers are within: 3 / 3
    assert f["service_level"].value == pytest.approx(1.0)
    assert f["service_level"].variant == "ans≤30s / ans"


def test_site_service_level_applies_each_queues_own_threshold() -> None:
    data = {**BASE_CONFIG, "sites": {"oslo": {**BASE_CONFIG["sites"]["oslo"], "queues": {
        "billing": {"channels": ["voice"]},
        "support": {"channels": ["voice"], "overrides": {"voice": {"sl_threshold_s": 60}}},
    }}}}  # fmt: skip
    cfg = parse_config(data)
    events = [
        *contact("b1", T0, wait_s=40),  # billing, T = 20 s: not within
        *contact("s1", T0, queue="support", wait_s=40),  # support, T = 60 s: within
    ]
    engine = run(cfg, events)
    site = figures(views(engine, NOW).site_windows("oslo")["today"], cfg, engine.layout)
    assert site["service_level"].value == pytest.approx(1 / 2)
    assert site["service_level"].variant == "ans≤T(queue) / offered"


def test_service_level_without_denominator_is_undefined_and_capped_at_one() -> None:
    empty = figures(None, config(), Engine(config()).layout)
    assert empty["service_level"].value is None and empty["asa_s"].value is None
    # the offer fell before the window (09:14:55), its answer inside it (09:15:05):
    # 1 within ÷ 0 offered is undefined
    engine = run(config(), contact("c1", T0 + 14 * MINUTE + 55 * SECOND, wait_s=10))
    f = queue_figures(engine, T0 + 17 * MINUTE, "interval_15m")
    assert (f["offered"].value, f["answered"].value) == (0, 1)
    assert f["service_level"].value is None and f["service_level"].n == 0
    # with one other offer inside, 2 within ÷ 1 offered is capped at 100 %
    engine.apply_all(contact("c2", T0 + 16 * MINUTE, wait_s=5))
    f = queue_figures(engine, T0 + 17 * MINUTE, "interval_15m")
    assert (f["offered"].value, f["answered"].value) == (1, 2)
    assert f["service_level"].value == 1.0


def test_wait_percentiles_interpolate_inside_buckets() -> None:
    f = queue_figures(run(config(), SCENARIO), NOW)
    # waits 10, 20, 30 s in buckets (5,10], (15,20], (20,30]
    # p50: rank 1.5 in (15,20] holding 1 after 1 → 15 + 5·0.5 = 17.5
    # p80: rank 2.4 in (20,30] after 2 → 20 + 10·0.4 = 24; p95: 20 + 10·0.85 = 28.5
    assert f["wait_p50_s"].value == pytest.approx(17.5)
    assert f["wait_p80_s"].value == pytest.approx(24.0)
    assert f["wait_p95_s"].value == pytest.approx(28.5)
    assert f["wait_p50_s"].n == 3


def test_wait_percentile_in_the_overflow_bucket_is_the_highest_bound() -> None:
    # 1 wait of 2 s, 1 of 100,000 s (past the 86,400 s bound): p95 rank 1.9 is in +Inf.
    # Answers count at their own time, so the long wait is offered the day before.
    events = [*contact("c2", T0 - 100_000 * SECOND, wait_s=100_000), *contact("c1", T0, wait_s=2)]
    f = queue_figures(run(config(), events), NOW)
    assert f["wait_p95_s"].value == 86400
    assert f["wait_p50_s"].value == pytest.approx(5.0)  # rank 1.0 fills (0,5] exactly


def test_occupancy_from_agent_state_time() -> None:
    def at(s: int, name: str, **kw: Any) -> Event:
        return event("agent.state", T0 + s * SECOND, agent="a1", team="red", state=name, **kw)

    events = [
        at(0, "ready"), at(60, "busy"), at(240, "acw"),
        at(300, "not_ready", reason="lunch"), at(400, "ready"),
    ]  # fmt: skip
    team = views(run(config(), events), T0 + 500 * SECOND).teams[("oslo", "red")]
    # ready 60 + 100 (400 s until the read at 500 s), busy 180, acw 60; not ready is not staffed
    # for occupancy → (180 + 60) ÷ (160 + 180 + 60) = 240 / 400
    occ = kpis.occupancy(team.agent_time["today"])
    assert occ.value == pytest.approx(0.6)
    assert occ.n == 400
    assert kpis.occupancy([0] * 5).value is None


# --- first response on business-hours calendars ---

# Mon-Fri 08-16 Europe/Oslo; Friday 2026-11-27 is a holiday. Every reply is on Monday 30 Nov,
# so "today" read that Monday holds all of them.
CAL_CONFIG = parse_config({
    "sites": {"oslo": {
        "timezone": "Europe/Oslo",
        "business_hours": {"holidays": ["2026-11-27"]},
        "queues": {
            "billing": {"channels": ["email"]},
            "support": {"channels": ["messaging", "email"], "overrides": {
                "email": {"response_sla": {"kind": "elapsed_seconds", "seconds": 86400}}}},
        },
    }},
    "channels": {
        "email": {"response_sla": {"kind": "same_business_day"}},
        "messaging": {"response_sla": {"kind": "business_seconds", "seconds": 3600}},
    },
})  # fmt: skip
MONDAY_EVENING = oslo(2026, 11, 30, 17)


def replies(queue: str, channel: str, pairs: list[tuple[int, int]]) -> list[Event]:
    common = {"queue": queue, "channel": channel, "agent": "a1", "team": "red"}
    return [
        event("contact.first_response", replied, contact_id=f"{channel}{i}", received_ts=received,
              **common)
        for i, (received, replied) in enumerate(pairs)
    ]  # fmt: skip


def first_response(events: list[Event], queue: str, channel: str) -> dict[str, Figure]:
    cfg = parse_config({**CAL_CONFIG.model_dump(mode="json"),
                        "engine": {"allowed_lateness_s": 7 * 86400, "dedup_ttl_s": 7 * 86400}})  # fmt: skip
    return queue_figures(run(cfg, events), MONDAY_EVENING, key=("oslo", queue, channel))


def test_first_response_in_business_seconds_for_messaging() -> None:
    events = replies("support", "messaging", [
        # after close Thu 15:40; Fri holiday; Mon 09:00 → 20 + 60 min = 4800 s business (> 1 h)
        (oslo(2026, 11, 26, 15, 40), oslo(2026, 11, 30, 9)),
        # Saturday 11:00 → Mon 08:30: 30 min of business time (within)
        (oslo(2026, 11, 28, 11), oslo(2026, 11, 30, 8, 30)),
        # on the holiday, Fri 10:00 → Mon 08:50: 50 min (within)
        (oslo(2026, 11, 27, 10), oslo(2026, 11, 30, 8, 50)),
        # Mon 08:05 → Mon 10:00: 115 min (not within)
        (oslo(2026, 11, 30, 8, 5), oslo(2026, 11, 30, 10)),
    ])  # fmt: skip
    f = first_response(events, "support", "messaging")
    # elapsed: 89 h 20 m, 45 h 30 m, 70 h 50 m, 1 h 55 m = 321600 + 163800 + 255000 + 6900 s
    assert f["first_response_s"].value == pytest.approx((321600 + 163800 + 255000 + 6900) / 4)
    assert f["first_response_business_s"].value == pytest.approx((4800 + 1800 + 3000 + 6900) / 4)
    assert f["response_sla_rate"].value == pytest.approx(2 / 4)
    assert f["response_sla_rate"].n == 4


def test_first_response_same_business_day_for_email() -> None:
    events = replies("billing", "email", [
        (oslo(2026, 11, 26, 15, 40), oslo(2026, 11, 30, 9)),  # due Thu 16:00: late
        (oslo(2026, 11, 26, 16, 30), oslo(2026, 11, 30, 9)),  # after close, Fri off: due Mon 16:00
        (oslo(2026, 11, 28, 11), oslo(2026, 11, 30, 8, 30)),  # weekend: due Mon 16:00
        (oslo(2026, 11, 27, 10), oslo(2026, 11, 30, 15, 59)),  # holiday: due Mon 16:00
    ])  # fmt: skip
    f = first_response(events, "billing", "email")
    assert f["response_sla_rate"].value == pytest.approx(3 / 4)


def test_first_response_elapsed_seconds_override_for_one_queue() -> None:
    events = replies("support", "email", [
        (oslo(2026, 11, 29, 12), oslo(2026, 11, 30, 9)),  # Sunday noon: 21 h (within 24 h)
        (oslo(2026, 11, 28, 11), oslo(2026, 11, 30, 8, 30)),  # 45 h 30 m: late
    ])  # fmt: skip
    f = first_response(events, "support", "email")
    assert f["response_sla_rate"].value == pytest.approx(1 / 2)
    assert f["first_response_s"].value == pytest.approx((21 * 3600 + 163800) / 2)
    # business time: Sunday counts nothing, Monday 08-09 one hour; Saturday → Mon 08:30 half
    assert f["first_response_business_s"].value == pytest.approx((3600 + 1800) / 2)


# --- quality and customer figures ---

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
    # sample variance of 5, 3, 4 is 1 → 4 ± t(2)·√(1/3) = 4 ± 4.3027·0.57735 = 4 ± 2.4841
    assert (f["csat_mean"].low, f["csat_mean"].high) == pytest.approx((1.5159, 6.4841), abs=1e-4)
    assert f["csat_top2"].value == pytest.approx(2 / 3)
    # Wilson 95 % for 2 of 3: centre (2/3 + z²/6)/(1 + z²/3) = 0.5731, half 0.3654
    assert (f["csat_top2"].low, f["csat_top2"].high) == pytest.approx((0.2077, 0.9385), abs=1e-4)
    # one promoter (10), one detractor (6), one passive (8) → NPS 0, SE = 100·√((2/3)/3) = 47.14
    assert f["nps"].value == pytest.approx(0.0)
    assert (f["nps"].low, f["nps"].high) == pytest.approx((-92.39, 92.39), abs=1e-2)
    # FCR yes, no → 0.5, Wilson for 1 of 2 is 0.5 ± 0.4055
    assert f["fcr_rate"].value == pytest.approx(0.5)
    assert (f["fcr_rate"].low, f["fcr_rate"].high) == pytest.approx((0.0945, 0.9055), abs=1e-4)
    # CES 2, 5 → 3.5, s² = 4.5 → 3.5 ± t(1)·√(4.5/2) = 3.5 ± 12.7062·1.5 = 3.5 ± 19.0593:
    # two answers say almost nothing, and the interval says so
    assert f["ces_mean"].value == pytest.approx(3.5)
    assert (f["ces_mean"].low, f["ces_mean"].high) == pytest.approx((-15.5593, 22.5593), abs=1e-4)
    assert f["qa_score"].value == pytest.approx(26 / 30)  # Σ score ÷ Σ max, not mean of ratios
    assert (f["qa_score"].n, f["qa_score"].low) == (2, None)
    assert f["survey_responses"].value == 3
    assert f["responses_per_handled"].value == pytest.approx(3 / 3)  # 3 ended contacts


def test_nps_interval_with_many_promoters_is_clipped_at_100() -> None:
    events: list[Event] = []
    for i, score in enumerate([10, 9, 10, 9, 10, 9, 10, 9, 10, 7]):
        events += contact(f"n{i}", T0, wait_s=5)
        events.append(event("survey.response", T0 + MINUTE, contact_id=f"n{i}", nps=score))
    f = queue_figures(run(config(), events), NOW)
    # 9 promoters, 0 detractors of 10: NPS 90, SE = 100·√((0.9 − 0.81)/10) = 9.487
    assert f["nps"].value == pytest.approx(90.0)
    assert (f["nps"].low, f["nps"].high) == pytest.approx((71.41, 100.0), abs=1e-2)


@pytest.mark.parametrize(("min_responses", "csat_low", "fcr_low"), [(3, False, True), (2, False, False), (4, True, True)])  # fmt: skip
def test_low_sample_flag_below_min_responses(
    min_responses: int, csat_low: bool, fcr_low: bool
) -> None:
    f = queue_figures(run(config(min_responses=min_responses), SCENARIO + SURVEYS), NOW)
    assert f["csat_mean"].low_sample is csat_low  # n = 3
    assert f["csat_top2"].low_sample is csat_low
    assert f["nps"].low_sample is csat_low
    assert f["fcr_rate"].low_sample is fcr_low  # n = 2
    assert f["ces_mean"].low_sample is fcr_low
    assert f["qa_score"].low_sample is fcr_low


def test_surveys_attributed_to_the_answering_team() -> None:
    engine = run(config(), SCENARIO + SURVEYS)
    f = team_figures(engine, NOW, "red")
    assert f["csat_mean"].n == 3 and f["csat_mean"].value == pytest.approx(4.0)


def test_team_pulse_latest_value_wins() -> None:
    esat = {"team": "red", "metric": "employee_satisfaction"}
    events = [
        event("team.pulse", T0, value=3.9, respondents=8, **esat),
        event("team.pulse", T0 + MINUTE, value=4.2, respondents=9, **esat),
        event("team.pulse", T0, team="red", metric="sick_leave_rate", value=0.06),
    ]
    pulse = views(run(config(), reversed(events)), NOW).teams[("oslo", "red")].pulse
    assert (pulse["employee_satisfaction"].value, pulse["employee_satisfaction"].respondents) == (
        4.2, 9,
    )  # fmt: skip
    assert pulse["sick_leave_rate"].value == pytest.approx(0.06)
    cfg = config()
    assert kpis.classify(4.2, cfg.target("employee_satisfaction")) is Status.GOOD  # ≥ 4.0
    assert kpis.classify(0.06, cfg.target("sick_leave_rate")) is Status.WARN  # 5 % < x < 8 %


def test_team_pulse_tie_on_time_and_value_does_not_depend_on_order() -> None:
    esat = {"team": "red", "metric": "employee_satisfaction", "value": 4.0}
    a = event("team.pulse", T0, respondents=7, **esat)
    b = event("team.pulse", T0, respondents=9, **esat)
    one = views(run(config(), [a, b]), NOW).teams[("oslo", "red")].pulse
    two = views(run(config(), [b, a]), NOW).teams[("oslo", "red")].pulse
    assert one == two


# --- spread between agents ---


def spread_events() -> list[Event]:
    events: list[Event] = []
    # a1..a4 with CSAT 5, 4, 3, 2 on two surveys each, QA on the first; a5 only one survey
    for i, (agent, score) in enumerate([("a1", 5), ("a2", 4), ("a3", 3), ("a4", 2), ("a5", 1)]):
        for k in range(2 if agent != "a5" else 1):
            cid = f"s{i}{k}"
            events += contact(cid, T0 + i * SECOND, wait_s=5, agent=agent)
            events.append(event("survey.response", T0 + MINUTE, contact_id=cid, csat=score))
            events.append(event("qa.evaluation", T0 + MINUTE, contact_id=cid, score=score,
                                max_score=5))  # fmt: skip
    return events


def test_spread_is_the_iqr_of_qualifying_agents() -> None:
    cfg = config(spread_min_responses=2, spread_min_agents=3)
    team = views(run(cfg, spread_events()), NOW).teams[("oslo", "red")]
    result = kpis.spread(team.agent_quality, cfg.engine)
    csat = result["csat_mean"]
    # a5 has one response: four agents qualify with means 2, 3, 4, 5
    # Q1 at position 0.75 → 2.75, median 3.5, Q3 at 2.25 → 4.25; IQR 1.5
    assert csat is not None
    assert (csat.agents, csat.q1, csat.median, csat.q3) == (4, 2.75, 3.5, 4.25)
    assert csat.iqr == pytest.approx(1.5)
    qa = result["qa_score"]
    assert qa is not None and (qa.q1, qa.q3) == pytest.approx((0.55, 0.85))


def test_spread_needs_enough_qualifying_agents() -> None:
    team = views(run(config(), spread_events()), NOW).teams[("oslo", "red")]
    exactly = config(spread_min_responses=2, spread_min_agents=4).engine
    too_few = config(spread_min_responses=2, spread_min_agents=5).engine
    assert kpis.spread(team.agent_quality, exactly)["csat_mean"] is not None
    assert kpis.spread(team.agent_quality, too_few)["csat_mean"] is None
    # with one response enough, a5 qualifies too: five agents
    loose = config(spread_min_responses=1, spread_min_agents=5).engine
    spread = kpis.spread(team.agent_quality, loose)["csat_mean"]
    assert spread is not None and spread.agents == 5


def test_agent_quality_keys_are_pseudonyms() -> None:
    events = [*contact("c1", T0, wait_s=5, agent="alice")]
    events.append(event("survey.response", T0 + MINUTE, contact_id="c1", csat=5))
    team = views(run(config(), events), NOW).teams[("oslo", "red")]
    assert len(team.agent_quality) == 1
    assert "alice" not in next(iter(team.agent_quality))


# --- status against targets ---


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.85, Status.GOOD), (0.80, Status.GOOD), (0.75, Status.WARN), (0.70, Status.ALERT),
     (None, Status.UNKNOWN)],
)  # fmt: skip
def test_classify_against_target(value: float | None, expected: Status) -> None:
    assert kpis.classify(value, config().target("service_level")) is expected


def test_classify_lower_is_better() -> None:
    target = config().target("abandon_rate")  # warn 5 %, alert 8 %
    assert kpis.classify(0.05, target) is Status.GOOD
    assert kpis.classify(0.06, target) is Status.WARN
    assert kpis.classify(0.08, target) is Status.ALERT
    assert kpis.classify(0.5, None) is Status.UNKNOWN


def test_resolve_time_is_elapsed_even_across_a_weekend_on_a_business_hours_calendar() -> None:
    # Email received Thu 26 Nov 15:00, answered Mon 30 Nov 08:30, resolved Mon 09:00.
    # Elapsed receipt → resolution: Thu 15:00 → Mon 09:00 = 4 × 24 h − 6 h = 90 h = 324000 s;
    # the first response counts business hours: Thu 15-16, Fri a holiday, Mon 08:00-08:30 = 5400 s.
    # A second email, Mon 08:00 → resolved 08:30: 1800 s. Resolve time (324000 + 1800) / 2.
    thursday, monday = oslo(2026, 11, 26, 15), oslo(2026, 11, 30, 8)
    common = {"queue": "billing", "channel": "email", "agent": "a1", "team": "red"}
    events = [
        *replies("billing", "email", [(thursday, monday + 30 * MINUTE)]),
        event("contact.resolved", monday + 60 * MINUTE, contact_id="email0",
              received_ts=thursday, **common),
        event("contact.resolved", monday + 30 * MINUTE, contact_id="m2", received_ts=monday,
              **common),
    ]  # fmt: skip
    f = first_response(events, "billing", "email")
    assert f["resolved"] == Figure(2, n=2)
    assert f["resolve_time_s"].value == pytest.approx((324000 + 1800) / 2)
    assert f["resolve_time_s"].n == 2
    assert f["first_response_business_s"].value == pytest.approx(5400)
    assert f["first_response_s"].value == pytest.approx(324000 - 30 * 60)
    layout = Engine(config()).layout
    assert kpis.resolve_time(layout.zero(), layout.index).value is None
