"""What the worker serves is exactly the contract: every family's type, labels and help."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from floorboard.config import DEFAULT_TARGETS, EXAMPLE_CONFIG, RuntimeSettings, load_config
from floorboard.events.model import Event
from floorboard.metrics import KpiCollectors, names
from floorboard.streams.worker.metrics import build_registry
from floorboard.streams.worker.runtime import WorkerRuntime
from floorboard.streams.worker.settings import WorkerSettings
from tests.factory import MINUTE, T0, contact, event
from tests.metrics.scrape import Partitions, families, samples, total

CONFIG = load_config(EXAMPLE_CONFIG)
NOW = T0 + 30 * MINUTE


def day() -> list[Event]:
    """Something for every KPI family: waits either side of each queue's threshold, surveys, QA."""
    out: list[Event] = []
    for i, wait in enumerate((5, 19, 20, 21, 45, 59, 60, 61, 90)):
        out += contact(f"b{i}", T0 + i * MINUTE, queue="billing", wait_s=wait, talk_s=90, acw_s=20)
        out += contact(f"s{i}", T0 + i * MINUTE, queue="support", wait_s=wait, talk_s=60)
    out += contact("gone", T0, queue="sales", abandon_s=3)
    out += contact("queued", T0 + 20 * MINUTE, queue="sales", channel="chat")
    out += contact("mail", T0 + 5 * MINUTE, queue="billing", channel="email")  # open backlog
    out.append(event("survey.response", T0 + 12 * MINUTE, contact_id="b1", csat=4, nps=9, fcr=True))
    out.append(event("qa.evaluation", T0 + 15 * MINUTE, contact_id="s2", score=8, max_score=10))
    out.append(event("agent.state", T0, agent="a7", team="red", state="ready"))
    return sorted(out, key=lambda ev: ev.ts)


def scraped() -> Partitions:
    parts = Partitions(CONFIG)
    for ev in day():
        parts.apply(ev)
    assert all(set(e.counters) == {"applied"} for e in parts.engines)
    return parts


def test_every_kpi_family_matches_its_spec() -> None:
    served = {f.name: f for f in families(scraped().records(NOW), CONFIG)}
    for spec in names.KPI:
        family_name = spec.name.removesuffix("_total")  # the parser names counters without it
        assert family_name in served, spec.name
        family = served[family_name]
        assert family.type == spec.kind.value, spec.name
        assert family.documentation == spec.help, spec.name
        assert family.samples, f"{spec.name}: no samples from a day with every kind of event"
        for sample in family.samples:
            assert sample.name in spec.series
            extra = {"le"} if sample.name.endswith("_bucket") else set()
            assert set(sample.labels) == set(spec.labels) | extra, sample
    assert set(served) == {s.name.removesuffix("_total") for s in names.KPI}


def test_every_queue_has_an_exact_bucket_at_its_own_threshold() -> None:
    values = samples(families(scraped().records(NOW), CONFIG))
    for site, cfg in CONFIG.sites.items():
        for queue, qcfg in cfg.queues.items():
            for channel in qcfg.channels:
                t = CONFIG.channel_settings(site, queue, channel).sl_threshold_s
                where = {"site": site, "queue": queue, "channel": channel}
                threshold = total(
                    values, "floorboard_sl_threshold_seconds", **where, threshold_le=f"{t}.0"
                )
                assert threshold == t  # the threshold's le label names the bucket to use
                in_time = total(values, "floorboard_contacts_answered_within_sl_total", **where)
                bucket = total(values, "floorboard_answered_wait_seconds_bucket", **where,
                               le=f"{t}.0")  # fmt: skip
                assert bucket == in_time
    # support voice overrides T to 60 s: waits of 60 s are in, 61 s out (``le`` is inclusive)
    support = {"site": "oslo", "queue": "support", "channel": "voice"}
    assert total(values, "floorboard_contacts_answered_within_sl_total", **support) == 7
    assert total(values, "floorboard_contacts_answered_within_sl_total", queue="billing") == 3


def test_pipeline_families_of_the_worker_match_their_specs() -> None:
    runtime = WorkerRuntime(CONFIG, RuntimeSettings(), WorkerSettings(), cast(Any, None),
                            cast(Any, None))  # fmt: skip
    registry = build_registry(runtime)
    served = {f.name: f for f in text_string_to_metric_families(generate_latest(registry).decode())}
    for spec in names.PIPELINE:
        family = served[spec.name.removesuffix("_total")]
        assert family.type == spec.kind.value, spec.name
        assert family.documentation == spec.help, spec.name
        for sample in family.samples:
            extra = {"le"} if sample.name.endswith("_bucket") else set()
            assert set(sample.labels) == set(spec.labels) | extra, sample


def test_every_configurable_kpi_has_one_target_family() -> None:
    assert set(names.TARGET_FAMILY) == set(DEFAULT_TARGETS)
    assert set(names.TARGET_FAMILY.values()) == set(names.TARGETS)


def local_ms(year: int, month: int, day: int, hour: int, minute: int) -> int:
    local = dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Oslo"))
    return int(local.timestamp() * 1000)


def test_site_open_follows_the_configured_hours_and_holidays() -> None:
    def site_open(at: int) -> float:
        registry = CollectorRegistry()
        registry.register(KpiCollectors(list, CONFIG, clock=lambda: at))
        values = samples(text_string_to_metric_families(generate_latest(registry).decode()))
        return total(values, "floorboard_site_open", site="oslo")

    assert site_open(local_ms(2026, 11, 23, 8, 0)) == 1  # Monday, opens at 08:00
    assert site_open(local_ms(2026, 11, 23, 7, 59)) == 0
    assert site_open(local_ms(2026, 11, 27, 15, 30)) == 0  # Friday closes at 15:00
    assert site_open(local_ms(2026, 11, 28, 12, 0)) == 0  # Saturday
    assert site_open(local_ms(2026, 12, 24, 10, 0)) == 0  # a configured holiday (Thursday)


def test_the_worker_reads_opening_hours_at_its_read_time() -> None:
    runtime = WorkerRuntime(CONFIG, RuntimeSettings(), WorkerSettings(read_at=T0), cast(Any, None),
                            cast(Any, None))  # fmt: skip
    registry = build_registry(runtime)
    values = samples(text_string_to_metric_families(generate_latest(registry).decode()))
    assert total(values, "floorboard_site_open", site="oslo") == 1  # Monday 09:00
