"""The worker's own Prometheus registry and its pipeline collector.

``PipelineCollector`` serves the ``floorboard_worker_*`` names of the metric contract
(``floorboard/metrics/names.py``, ``PIPELINE``). ``build_registry`` registers the contract's
``floorboard.metrics.worker_collector`` (pipeline plus KPI metrics) when it is importable, and the
pipeline collector alone otherwise. Values are read from the runtime at scrape time, never pushed
from the hot path.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from floorboard.streams.worker.deadletter import DEAD_LETTER_REASONS
from floorboard.streams.worker.runtime import WorkerRuntime

log = logging.getLogger(__name__)
PREFIX = "floorboard_worker_"
OUTCOMES = ("applied", "duplicate", "too_late", "unknown_site")


class PipelineCollector(Collector):
    def __init__(self, runtime: WorkerRuntime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        rt = self.runtime
        totals = rt.totals()
        records = CounterMetricFamily(
            PREFIX + "records", "Source records applied (each holds one event or a batch)"
        )
        records.add_metric([], totals["records"])
        yield records
        events = CounterMetricFamily(
            PREFIX + "events", "Decoded events by engine outcome", labels=["outcome"]
        )
        for outcome in OUTCOMES:
            events.add_metric([outcome], totals[outcome])
        yield events
        dead = CounterMetricFamily(
            PREFIX + "dead_letters", "Events sent to the dead-letter topic", labels=["reason"]
        )
        for reason in DEAD_LETTER_REASONS:
            dead.add_metric([reason], totals["dead_letter:" + reason])
        yield dead
        duplicates = CounterMetricFamily(
            PREFIX + "duplicates", "Events dropped as duplicates of an event id already counted"
        )
        duplicates.add_metric([], totals["duplicate"])
        yield duplicates
        last = GaugeMetricFamily(
            PREFIX + "last_event_timestamp_seconds",
            "Newest event time per site on this worker's partitions",
            labels=["site"],
        )
        for site, wm in sorted(rt.watermarks().items()):
            last.add_metric([site], wm / 1000)
        yield last
        lag = GaugeMetricFamily(
            PREFIX + "consumer_lag",
            "Records behind the fetch high-water mark per source partition",
            labels=["topic", "partition"],
        )
        for partition, behind in sorted(rt.lag().items()):
            lag.add_metric([rt.topic, str(partition)], behind)
        yield lag
        assigned = GaugeMetricFamily(PREFIX + "partitions", "Source partitions owned")
        assigned.add_metric([], len(rt.slots))
        yield assigned
        for name, help_text in (
            ("checkpoints", "Checkpoints written"),
            ("checkpoint_failures", "Checkpoint attempts that failed and will be retried"),
            ("restores", "Partitions restored from the checkpoint topic"),
            ("seeks", "Consumer seeks to the checkpointed position"),
        ):
            family = CounterMetricFamily(PREFIX + name, help_text)
            family.add_metric([], rt.stats[name])
            yield family


def build_registry(runtime: WorkerRuntime) -> CollectorRegistry:
    """The worker's registry (never the global one, so several workers can share a process)."""
    registry = CollectorRegistry(auto_describe=True)
    contract = _contract_collector(runtime)
    if contract is not None:
        try:
            registry.register(contract)  # describes itself once: a broken one fails here
            return registry
        except Exception:
            log.exception("the streams.metrics collector failed; serving the pipeline set only")
    registry.register(PipelineCollector(runtime))
    return registry


def _contract_collector(runtime: WorkerRuntime) -> Collector | None:
    """The contract's collector, if present: ``floorboard.metrics.worker_collector(runtime)``."""
    try:
        module: Any = importlib.import_module("floorboard.metrics")
    except ImportError:
        return None
    factory = getattr(module, "worker_collector", None)
    if factory is None:
        return None
    try:
        collector: Collector = factory(runtime)
    except Exception:
        log.exception("the streams.metrics collector failed to start; using the pipeline set")
        return None
    return collector
