"""Surveys, QA evaluations and team pulse: when they arrive and what drives the scores."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from floorboard.events import model as m
from floorboard.simulator import SCENARIOS
from tests.simulator.helpers import HOUR, MONDAY_7, day, example


def test_surveys_follow_a_share_of_contacts_minutes_to_hours_later() -> None:
    events = day(hours=12)
    ended: dict[str, int] = {}  # contact → end of its last leg
    for e in events:
        if isinstance(e, m.ContactEnded):
            ended[e.contact_id] = e.ts
    surveys = [e for e in events if isinstance(e, m.SurveyResponse)]
    assert len({e.contact_id for e in surveys}) == len(surveys)  # one response per contact
    delays = [e.ts - ended[e.contact_id] for e in surveys]
    assert min(delays) > 0
    assert 10 * 60_000 < statistics.median(delays) < 60 * 60_000
    assert sum(d > HOUR for d in delays) > 0.1 * len(delays)
    # of contacts over in the first four hours (nearly all their surveys are in by the end)
    early = {c for c, ts in ended.items() if ts < MONDAY_7 + 4 * HOUR}
    share = sum(e.contact_id in early for e in surveys) / len(early)
    assert 0.25 < share < 0.33  # the scenario sends 30 %; a few answer after the run


def test_long_waits_cost_satisfaction() -> None:
    events = day(SCENARIOS["lunch_peak"].replace(survey_probability=0.9), hours=8)
    waited: dict[str, float] = {}
    for e in events:
        if isinstance(e, m.ContactAnswered) and e.channel == "voice":
            waited[e.contact_id] = e.wait_s
    short: list[int] = []
    long: list[int] = []
    for e in events:
        if isinstance(e, m.SurveyResponse) and e.csat is not None and e.contact_id in waited:
            wait = waited[e.contact_id]
            if wait <= 20:
                short.append(e.csat)
            elif wait > 90:
                long.append(e.csat)
    assert len(short) > 100 and len(long) > 50
    assert statistics.mean(long) < statistics.mean(short) - 0.4


def test_survey_storm_has_many_responses_and_a_consistently_poor_agent() -> None:
    events = day("survey_storm", hours=10)
    handled = {e.contact_id: e.agent for e in events if isinstance(e, m.ContactEnded)}
    scores: dict[str, list[int]] = defaultdict(list)
    for e in events:
        if isinstance(e, m.SurveyResponse) and e.csat is not None and e.contact_id in handled:
            scores[handled[e.contact_id]].append(e.csat)
    assert sum(map(len, scores.values())) > 0.5 * len(handled)
    means = {agent: statistics.mean(s) for agent, s in scores.items() if len(s) >= 10}
    worst = min(means, key=means.__getitem__)
    others = sorted(v for a, v in means.items() if a != worst)
    assert means[worst] < others[0] - 0.5
    assert worst == "oslo-red-00"  # the scenario's poor agent


def test_good_agents_stay_good() -> None:
    """Per-agent quality persists: an agent's CSAT in one half of the day predicts the other."""
    events = day(SCENARIOS["normal"].replace(survey_probability=0.9, quality_spread=0.7), hours=11)
    handled = {e.contact_id: (e.agent, e.ts) for e in events if isinstance(e, m.ContactEnded)}
    halves: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for e in events:
        if isinstance(e, m.SurveyResponse) and e.csat is not None and e.contact_id in handled:
            agent, ts = handled[e.contact_id]
            halves[agent][ts >= MONDAY_7 + 6 * HOUR].append(e.csat)
    pairs = [(statistics.mean(a), statistics.mean(b)) for a, b in halves.values() if a and b]
    assert len(pairs) > 30
    first, second = zip(*pairs, strict=True)
    assert statistics.correlation(first, second) > 0.5


def test_qa_evaluates_a_sample_hours_later() -> None:
    events = day(hours=12)
    ended = {e.contact_id: e.ts for e in events if isinstance(e, m.ContactEnded)}
    evaluations = [e for e in events if isinstance(e, m.QaEvaluation)]
    assert 0.03 < len(evaluations) / len(ended) < 0.07
    for e in evaluations:
        assert 1 * HOUR <= e.ts - ended[e.contact_id] <= 4 * HOUR
        assert e.max_score == 20 and e.items_passed + e.items_failed == 20
        assert e.score == e.items_passed


def test_team_pulse_every_morning() -> None:
    zone = example().sites["oslo"].zone
    pulses = [e for e in day(hours=50) if isinstance(e, m.TeamPulse)]
    # at the start (Monday 07:00), then 07:30 on Tuesday and Wednesday; three teams, two metrics
    times = sorted({dt.datetime.fromtimestamp(e.ts / 1000, tz=zone) for e in pulses})
    assert [t.strftime("%a %H:%M") for t in times] == ["Mon 07:00", "Tue 07:30", "Wed 07:30"]
    assert len(pulses) == 3 * 3 * 2
    for e in pulses:
        if e.metric == "sick_leave_rate":
            assert 0 <= e.value < 0.15
        else:
            assert e.metric == "employee_satisfaction" and 3 <= e.value <= 5
