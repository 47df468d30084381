"""The simulation's events: valid, deterministic, ordered per contact, and scenario-shaped."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from simulator import SCENARIOS, generate
from streams.engine.calendar import BusinessCalendar
from streams.events import model as m
from streams.events.codec import decode_event, encode
from tests.simulator.helpers import HOUR, MONDAY_7, example, pooled

STAGES = {"contact.offered": 0, "contact.answered": 1, "contact.transferred": 2, "contact.ended": 2,
          "contact.first_response": 2, "contact.resolved": 3, "contact.wrapup_ended": 3}  # fmt: skip


def day(scenario: str = "normal", seed: int = 3, hours: float = 10) -> list[m.Event]:
    return list(generate(example(), SCENARIOS[scenario], MONDAY_7, round(hours * HOUR), seed))


def test_same_seed_same_bytes_other_seed_other_day() -> None:
    a = b"".join(encode(e) for e in day(seed=5, hours=3))
    b = b"".join(encode(e) for e in day(seed=5, hours=3))
    c = b"".join(encode(e) for e in day(seed=6, hours=3))
    assert a == b and a != c


def test_events_validate_and_come_in_time_order() -> None:
    events = day()
    assert len(events) > 10_000
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    assert len({e.id for e in events}) == len(events)
    for event in events[:: len(events) // 500]:
        assert decode_event(encode(event)) == event
    kinds = {m.event_type(e) for e in events}
    assert kinds >= {
        "contact.offered", "contact.answered", "contact.abandoned", "contact.ended",
        "contact.wrapup_ended", "contact.first_response", "contact.resolved", "contact.transferred",
        "contact.callback_requested", "agent.state", "survey.response", "qa.evaluation", "team.pulse",
    }  # fmt: skip


def test_each_contact_leg_runs_offered_answered_ended() -> None:
    legs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for e in day(hours=6):
        if isinstance(e, m.ContactBase):
            legs[(e.contact_id, e.queue)].append(STAGES.get(m.event_type(e), 1))
    assert legs
    for stages in legs.values():
        assert stages == sorted(stages)
        assert stages[0] == 0  # every leg starts with an offer


def test_first_responses_only_in_business_hours() -> None:
    cfg = example()
    site = cfg.sites["oslo"]
    calendar = BusinessCalendar(site.business_hours, site.zone)
    responses = [e for e in day(hours=30) if isinstance(e, m.ContactFirstResponse)]
    assert responses
    # an agent starts on an item while open; replying may run a few minutes past closing
    late = [
        e
        for e in responses
        if not calendar.is_open(e.ts - 30 * 60_000) and not calendar.is_open(e.ts)
    ]
    assert late == []
    local_hours = {dt.datetime.fromtimestamp(e.ts / 1000, tz=site.zone).hour for e in responses}
    assert max(local_hours) <= 16


def test_lunch_peak_collapses_service_level() -> None:
    normal = pooled(example(), SCENARIOS["normal"], MONDAY_7, 7, range(1, 2))
    peak = pooled(example(), SCENARIOS["lunch_peak"], MONDAY_7, 7, range(1, 2))
    assert normal["service_level"].value is not None and peak["service_level"].value is not None
    assert peak["service_level"].value < normal["service_level"].value - 0.25
    assert peak["abandon_rate"].value > 2 * normal["abandon_rate"].value  # type: ignore[operator]


def test_no_shows_mean_fewer_agents() -> None:
    def logged_in(name: str) -> int:
        return len({e.agent for e in day(name, hours=4) if isinstance(e, m.AgentState)})

    # 39 agents start between 07:00 and 10:30; a quarter (10) of them stay away
    assert logged_in("normal") == 39
    assert logged_in("no_shows") == 29


def test_survey_storm_has_many_responses_and_a_consistently_poor_agent() -> None:
    events = day("survey_storm", hours=10)
    handled = {e.contact_id: e.agent for e in events if isinstance(e, m.ContactEnded)}
    scores: dict[str, list[int]] = defaultdict(list)
    for e in events:
        if isinstance(e, m.SurveyResponse) and e.csat is not None and e.contact_id in handled:
            scores[handled[e.contact_id]].append(e.csat)
    assert sum(map(len, scores.values())) > 0.5 * len(handled)
    means = {agent: sum(s) / len(s) for agent, s in scores.items() if len(s) >= 10}
    worst = min(means, key=means.__getitem__)
    others = sorted(v for a, v in means.items() if a != worst)
    assert means[worst] < others[0] - 0.5
    assert worst.endswith("red-00")  # the scenario's poor agent


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_scenario_produces_traffic(name: str) -> None:
    events = day(name, hours=2)
    assert sum(isinstance(e, m.ContactOffered) for e in events) > 100
