"""Prometheus KPI metrics over snapshot records; the contract is floorboard/metrics/names.py.

Whatever holds snapshot records registers ``KpiCollectors(records, config)``, where ``records``
returns the current records of the partitions it owns: the worker does so beside its pipeline
collector in its own registry (floorboard.streams.worker.metrics ``build_registry``).
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
