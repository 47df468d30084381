"""Prometheus metrics of a worker: KPI collectors over its partitions' snapshot records.

The worker registers ``worker_collector(runtime)`` in its own ``CollectorRegistry`` (never the
global one): floorboard.streams.worker.metrics ``build_registry``. Anything else holding
snapshot records
registers ``KpiCollectors(records, config)``, where ``records`` returns the current records of the
partitions it owns; the contract is floorboard/metrics/names.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from floorboard.engine.layout import Layout
from floorboard.engine.snapshot import Snapshot
from floorboard.metrics.collectors import (
    AgentCollector,
    ConfigCollector,
    QualityCollector,
    QueueCollector,
    RecordSource,
    wall_clock_ms,
)

if TYPE_CHECKING:
    from floorboard.config import Config
    from floorboard.streams.worker.runtime import WorkerRuntime


class KpiCollectors(Collector):
    """All KPI collectors over one record source, read once per scrape."""

    def __init__(
        self, records: RecordSource, config: Config, clock: Callable[[], int] = wall_clock_ms
    ) -> None:
        layout = Layout(config.wait_bounds_ms, config.handle_bounds_ms)
        self._records = records
        self._snapshot: Sequence[Snapshot] = []
        self.parts: list[Collector] = [
            QueueCollector(self._current, layout),
            QualityCollector(self._current, layout),
            AgentCollector(self._current),
            ConfigCollector(config, clock),
        ]

    def _current(self) -> Sequence[Snapshot]:
        return self._snapshot

    def collect(self) -> Iterator[Metric]:
        self._snapshot = self._records()
        for part in self.parts:
            yield from part.collect()


class WorkerCollector(Collector):
    """The worker's pipeline metrics and its KPI metrics."""

    def __init__(self, runtime: WorkerRuntime) -> None:
        from floorboard.streams.worker.metrics import PipelineCollector

        self.parts: list[Collector] = [
            PipelineCollector(runtime),
            KpiCollectors(runtime.records, runtime.config, runtime.now_ms),
        ]

    def collect(self) -> Iterator[Metric]:
        for part in self.parts:
            yield from part.collect()


def worker_collector(runtime: WorkerRuntime) -> Collector:
    return WorkerCollector(runtime)
