from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import REGISTRY, Collector

from floorboard.streams.worker.metrics import build_registry
from floorboard.streams.worker.partition import SourceRecord
from tests.streams.worker.memory import MemoryLog
from tests.streams.worker.test_runtime import BATCH, runtime


async def test_pipeline_metrics_count_records_outcomes_dead_letters_and_lag() -> None:
    rt, consumer = runtime(MemoryLog())
    await rt.assign([0, 1])
    mine = [(p, r) for p, r in BATCH if p == 0][:5]
    await rt.handle([*mine, (0, SourceRecord(5, b"k", b"{nope"))])
    consumer.highwaters = {0: 9}
    registry = build_registry(rt)
    assert REGISTRY.get_sample_value("floorboard_worker_records_total") is None  # not global
    assert registry.get_sample_value("floorboard_worker_records_total") == 6
    assert (
        registry.get_sample_value(
            "floorboard_worker_dead_letters_total", {"reason": "malformed_json"}
        )
        == 1
    )
    assert registry.get_sample_value("floorboard_worker_partitions") == 2
    assert (
        registry.get_sample_value(
            "floorboard_worker_consumer_lag", {"topic": "ev", "partition": "0"}
        )
        == 3
    )
    applied = registry.get_sample_value("floorboard_worker_events_total", {"outcome": "applied"})
    assert applied == rt.totals()["applied"] > 0
    assert (
        registry.get_sample_value(
            "floorboard_worker_last_event_timestamp_seconds", {"site": "oslo"}
        )
        == rt.watermarks()["oslo"] / 1000
    )


async def test_a_broken_contract_collector_leaves_the_pipeline_metrics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Broken(Collector):
        def collect(self) -> Iterator[Metric]:
            raise AttributeError("half-edited metric contract")

    monkeypatch.setattr("floorboard.metrics.worker_collector", lambda runtime: Broken())
    rt, _ = runtime(MemoryLog())
    registry = build_registry(rt)
    assert b"floorboard_worker_records_total 0.0" in generate_latest(registry)
