"""A live worker's /metrics passes Prometheus' own linter (`promtool check metrics`), and with
``--log-format json`` (here FLOORBOARD_WORKER_LOG_FORMAT) every line it writes is one JSON object."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.produce import EventProducer
from tests.factory import MINUTE
from tests.helpers import require_tool
from tests.streams.worker.harness import Pipeline
from tests.streams.worker.scenario import scenario

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]


async def test_promtool_check_metrics_passes_on_a_live_worker_logging_json(
    broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOORBOARD_WORKER_LOG_FORMAT", "json")
    promtool = require_tool("promtool", "prometheus")
    events = scenario(contacts=40, tag="lint")
    # read on the scenario's day, so the day-to-date KPI families have series
    pipeline = Pipeline(broker, tmp_path, partitions=2, read_at=max(e.ts for e in events) + MINUTE)
    await pipeline.create_topics()
    worker = pipeline.worker("lint").start()
    try:
        await worker.wait_assigned(timeout=90)
        async with EventProducer(pipeline.conn, pipeline.settings.events_topic) as producer:
            await producer.send(events)
        await pipeline.wait_for_counts(len(events), timeout=90, watch=[worker])
        exposition: str = await worker.http("/metrics")
    finally:
        worker.stop()
    done = subprocess.run(
        [promtool, "check", "metrics"], input=exposition, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # what the linter read is the whole exposition: KPI, pipeline, histograms, build and process
    for family in (
        "floorboard_contacts_offered_total",
        "floorboard_target_ratio",
        "floorboard_worker_batch_duration_seconds_bucket",
        "floorboard_worker_event_delay_seconds_count",
        "floorboard_build_info",
        "process_cpu_seconds_total",
    ):
        assert f"\n{family}" in exposition, family
    lines = [line for line in worker.log_path.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    assert {"ts", "level", "logger", "message"} <= set(records[0])
    assert any("floorboard worker" in r["message"] for r in records)
