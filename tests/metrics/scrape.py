"""Scraping the KPI collectors the way Prometheus does: exposition text, parsed by its parser."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from floorboard.config import Config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import Snapshot
from floorboard.events.model import Event, partition_key
from floorboard.metrics import KpiCollectors

SeriesKey = tuple[str, tuple[tuple[str, str], ...]]


def families(records: Sequence[Snapshot], config: Config) -> list[Metric]:
    registry = CollectorRegistry()
    registry.register(KpiCollectors(lambda: records, config))
    return list(text_string_to_metric_families(generate_latest(registry).decode()))


def samples(fams: Iterable[Metric], kinds: tuple[str, ...] = ()) -> dict[SeriesKey, float]:
    """Every sample by (series name, sorted labels); only of the given family types if any."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in fams
        if not kinds or family.type in kinds
        for s in family.samples
    }


def total(values: dict[SeriesKey, float], name: str, **match: str) -> float:
    return sum(
        v
        for (n, labels), v in values.items()
        if n == name and all((k, m) in labels for k, m in match.items())
    )


class Partitions:
    """Engines of a topic's partitions, fed by the streaming layer's key (stable hash)."""

    def __init__(self, config: Config, count: int = 2) -> None:
        self.engines = [Engine(config) for _ in range(count)]

    def apply(self, event: Event) -> None:
        key = partition_key(event).encode()
        self.engines[zlib.crc32(key) % len(self.engines)].apply(event)

    def records(self, now: int) -> list[Snapshot]:
        return [
            record
            for i, engine in enumerate(self.engines)
            for record in snapshot(engine, now, f"floorboard.events/{i}")
        ]

    @property
    def watermark(self) -> int:
        return max((wm for e in self.engines for wm in e.watermarks.values()), default=0)
