"""The worker's own Prometheus registry: its pipeline collector and the KPI collectors.

``PipelineCollector`` serves the ``floorboard_worker_*`` families of the metric contract
(``floorboard/metrics/names.py``, ``PIPELINE``), which holds their names, labels and help text.
``build_registry`` registers it beside ``floorboard.metrics.KpiCollectors`` over the records of
the partitions the worker owns. Values are read from the runtime at scrape time, never pushed
from the hot path.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Iterator
from typing import get_args

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from floorboard import __version__
from floorboard.engine.build import engine_build
from floorboard.engine.engine import Outcome
from floorboard.metrics import KpiCollectors
from floorboard.metrics import names as n
from floorboard.metrics.collectors import counter, gauge, histogram
from floorboard.streams.worker.deadletter import DEAD_LETTER_REASONS
from floorboard.streams.worker.histogram import Histogram
from floorboard.streams.worker.runtime import WorkerRuntime

OUTCOMES: tuple[str, ...] = get_args(Outcome)
# The runtime's stats counter behind each worker-level counter family.
STATS = (
    (n.WORKER_CHECKPOINTS, "checkpoints"),
    (n.WORKER_CHECKPOINT_FAILURES, "checkpoint_failures"),
    (n.WORKER_RESTORES, "restores"),
    (n.WORKER_SEEKS, "seeks"),
)


def family(spec: n.Spec, samples: Iterable[tuple[list[str], float]]) -> Metric:
    """The spec's family with the given (label values, value) samples."""
    out = counter(spec) if spec.kind is n.Kind.COUNTER else gauge(spec)
    for labels, value in samples:
        out.add_metric(labels, value)
    return out


class PipelineCollector(Collector):
    """Records, outcomes, dead letters, freshness, lag and checkpoints of one worker."""

    def __init__(self, runtime: WorkerRuntime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        rt = self.runtime
        totals = rt.totals()
        yield family(n.WORKER_RECORDS, [([], totals["records"])])
        yield family(n.WORKER_EVENTS, [([outcome], totals[outcome]) for outcome in OUTCOMES])
        yield family(
            n.WORKER_DEAD_LETTERS,
            [([reason], totals["dead_letter:" + reason]) for reason in DEAD_LETTER_REASONS],
        )
        yield family(n.WORKER_DUPLICATES, [([], totals["duplicate"])])
        yield family(
            n.WORKER_LAST_EVENT,
            [([site], wm / 1000) for site, wm in sorted(rt.watermarks().items())],
        )
        yield family(
            n.WORKER_CONSUMER_LAG,
            [
                ([rt.topic, str(partition)], behind)
                for partition, behind in sorted(rt.lag().items())
            ],
        )
        yield family(n.WORKER_PARTITIONS, [([], len(rt.slots))])
        yield family(n.SOURCE_RESETS, [([rt.topic], totals["source_resets"])])
        for spec, stat in STATS:
            yield family(spec, [([], rt.stats[stat])])
        for spec, hist in (
            (n.WORKER_BATCH_DURATION, rt.batch_duration),
            (n.WORKER_EVENT_DELAY, rt.event_delay),
            (n.WORKER_SNAPSHOT_DURATION, rt.snapshot_duration),
        ):
            yield exposed(spec, hist)
        info = [__version__, platform.python_version(), engine_build()]
        yield family(n.BUILD_INFO, [(info, 1)])
        conditions = rt.readiness()
        met = [([name], float(reason is None)) for name, reason in conditions.items()]
        yield family(n.WORKER_READY, [([], float(all(v for _, v in met)))])
        yield family(n.WORKER_READY_CONDITION, met)


def exposed(spec: n.Spec, hist: Histogram) -> Metric:
    out = histogram(spec)
    out.add_metric([], hist.cumulative(), hist.sum)
    return out


def build_registry(runtime: WorkerRuntime) -> CollectorRegistry:
    """The worker's registry (never the global one, so several workers can share a process)."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(PipelineCollector(runtime))
    ProcessCollector(namespace="", registry=registry)  # process_* (Linux /proc): CPU, memory, fds
    registry.register(KpiCollectors(runtime.records, runtime.config, runtime.now_ms))
    return registry
