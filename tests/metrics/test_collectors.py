"""The KPI collectors on real engine state, read back with Prometheus' own text parser."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.events.model import partition_key
from floorboard.metrics import KpiCollectors
from floorboard.metrics.names import all_names
from tests.factory import MINUTE, T0, config, contact, event

NOW = T0 + 10 * MINUTE


def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    cfg = config()
    engines = [Engine(cfg), Engine(cfg)]
    events = [
        *contact("c1", T0, wait_s=10, talk_s=100, hold_s=20, acw_s=30),
        *contact("c2", T0, wait_s=25, talk_s=200),
        *contact("c3", T0, abandon_s=3),
        *contact("c4", T0 + 5 * MINUTE),
        event("survey.response", T0 + 2 * MINUTE, contact_id="c1", csat=5, nps=10, fcr=True),
        event("survey.response", T0 + 2 * MINUTE, contact_id="c2", csat=2, nps=3),
        event("agent.state", T0, agent="a1", team="red", state="ready"),
        # red's agent: ready 0-4 min, busy 4-7, ACW 7-8, not ready 8-10 (read at 10 min)
        event("agent.state", T0 + 4 * MINUTE, agent="a1", team="red", state="busy"),
        event("agent.state", T0 + 7 * MINUTE, agent="a1", team="red", state="acw"),
        event(
            "agent.state",
            T0 + 8 * MINUTE,
            agent="a1",
            team="red",
            state="not_ready",
            reason="training",
        ),
        # an email received at T0 and resolved 9 minutes later
        event(
            "contact.resolved",
            T0 + 9 * MINUTE,
            contact_id="e1",
            queue="billing",
            channel="email",
            agent="a2",
            team="blue",
            received_ts=T0,
        ),
    ]
    for ev in events:  # routed as the streaming layer routes them: the series add up
        engines[0 if partition_key(ev).endswith(("c1", "c3", "red")) else 1].apply(ev)
    records = [r for i, e in enumerate(engines) for r in snapshot(e, NOW, f"floorboard.events/{i}")]
    registry = CollectorRegistry()
    registry.register(KpiCollectors(lambda: records, cfg))
    text = generate_latest(registry).decode()
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert "agent" not in sample.labels  # no individual is ever a label
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def total(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **match: str
) -> float:
    return sum(
        v
        for (n, labels), v in samples.items()
        if n == name and all((k, m) in labels for k, m in match.items())
    )


def test_counters_add_up_across_partitions() -> None:
    s = scrape()
    voice = {"site": "oslo", "queue": "billing", "channel": "voice"}
    assert total(s, "floorboard_contacts_offered_total", **voice) == 4
    assert total(s, "floorboard_contacts_answered_total", **voice) == 2
    assert total(s, "floorboard_contacts_answered_within_sl_total", **voice) == 1
    assert total(s, "floorboard_contacts_abandoned_total", **voice) == 1
    assert total(s, "floorboard_contacts_short_abandoned_total", **voice) == 1
    partitions = {
        dict(labels)["partition"] for (n, labels) in s if n == "floorboard_contacts_offered_total"
    }
    assert partitions == {"0", "1"}


def test_wait_histogram_has_exact_sl_bucket() -> None:
    s = scrape()
    voice = {"site": "oslo", "queue": "billing", "channel": "voice"}
    # T = 20 s: one of the two answers (10 s) is within, matching answered_within_sl
    assert total(s, "floorboard_answered_wait_seconds_bucket", le="20.0", **voice) == 1
    assert total(s, "floorboard_answered_wait_seconds_bucket", le="+Inf", **voice) == 2
    assert total(s, "floorboard_answered_wait_seconds_sum", **voice) == 35
    assert total(s, "floorboard_talk_hold_seconds_sum", **voice) == 320


def test_live_gauges_quality_and_config() -> None:
    s = scrape()
    assert total(s, "floorboard_contacts_waiting", queue="billing") == 1
    assert (
        total(s, "floorboard_oldest_waiting_contact_timestamp_seconds") == (T0 + 5 * MINUTE) / 1000
    )
    assert total(s, "floorboard_survey_responses_total", kind="csat", bucket="top2") == 1
    assert total(s, "floorboard_survey_responses_total", kind="nps", bucket="detractor") == 1
    assert total(s, "floorboard_survey_score_sum_total", kind="csat") == 7
    assert total(s, "floorboard_agents", team="red", state="not_ready") == 1  # at the read
    assert (
        total(s, "floorboard_sl_threshold_seconds", queue="billing", channel="voice",
              threshold_le="20.0")
        == 20
    )  # fmt: skip
    assert total(s, "floorboard_target_ratio", queue="billing", kpi="service_level") == 0.8 + 0.7
    assert total(s, "floorboard_target_seconds", queue="billing", kpi="longest_wait_s") == 60 + 180
    assert total(s, "floorboard_target_nps_points", queue="billing", kpi="nps", level="warn") == 30


def test_agent_time_resolutions_and_team_queues_are_counters_in_seconds() -> None:
    s = scrape()
    red = {"site": "oslo", "team": "red"}
    assert total(s, "floorboard_agent_state_seconds_total", state="ready", **red) == 240
    assert total(s, "floorboard_agent_state_seconds_total", state="busy", **red) == 180
    assert total(s, "floorboard_agent_state_seconds_total", state="acw", **red) == 60
    assert total(s, "floorboard_agent_state_seconds_total", state="not_ready", **red) == 120
    # occupancy from these, as the rule computes it: (180 + 60) ÷ (240 + 180 + 60) = 0.5
    email = {"site": "oslo", "queue": "billing", "channel": "email"}
    assert total(s, "floorboard_contacts_resolved_total", **email) == 1
    assert total(s, "floorboard_resolve_seconds_total", **email) == 540
    # c1 and c2 were answered by red in billing voice (the factory's default team)
    answered = "floorboard_team_queue_contacts_answered_total"
    assert total(s, answered, team="red", queue="billing", channel="voice") == 2
    assert total(s, answered, team="blue") == 0


def test_every_series_is_in_the_contract() -> None:
    names = {n for n, _ in scrape()}
    assert names <= all_names()
