from __future__ import annotations

import platform

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import REGISTRY

from floorboard import __version__
from floorboard.engine.build import engine_build
from floorboard.metrics import names
from floorboard.streams.worker.metrics import build_registry
from floorboard.streams.worker.partition import SourceRecord
from tests.streams.worker.memory import MemoryLog
from tests.streams.worker.test_runtime import BATCH, runtime


async def test_pipeline_metrics_count_records_outcomes_dead_letters_and_lag() -> None:
    rt, consumer = runtime(MemoryLog())
    await rt.assign([0, 1])
    mine = [r for p, r in BATCH if p == 0][:5]
    await rt.handle({0: [*mine, SourceRecord(5, b"k", b"{nope")]})
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
    # one batch handled; every applied event's delay observed (events of 2026: far in the past)
    assert registry.get_sample_value("floorboard_worker_batch_duration_seconds_count") == 1
    # the batch's change-driven publication read one partition, timed once
    snapshots = "floorboard_worker_snapshot_duration_seconds"
    assert registry.get_sample_value(f"{snapshots}_count") == rt.stats["snapshots"] == 1
    assert (registry.get_sample_value(f"{snapshots}_sum") or 0) > 0
    delay = "floorboard_worker_event_delay_seconds"
    assert registry.get_sample_value(f"{delay}_count") == applied
    assert registry.get_sample_value(f"{delay}_bucket", {"le": "+Inf"}) == applied
    assert registry.get_sample_value(f"{delay}_bucket", {"le": "0.1"}) == 0
    info = {
        "version": __version__,
        "python_version": platform.python_version(),
        "engine": engine_build(),
    }
    assert registry.get_sample_value("floorboard_build_info", info) == 1


def test_the_worker_registry_serves_the_whole_contract_and_nothing_else() -> None:
    rt, _ = runtime(MemoryLog())
    text = generate_latest(build_registry(rt)).decode()
    served = {family.name for family in text_string_to_metric_families(text)}
    process = {name for name in served if name.startswith("process_")}
    assert {"process_cpu_seconds", "process_resident_memory_bytes"} <= process
    assert served - process == {spec.name.removesuffix("_total") for spec in names.WORKER}
