"""A real worker whose runtime fails on a fetch stops by itself with exit status 1 (issue 12,
rows 1 and 8: ingest died while the process lived on and /healthz said "ok")."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.produce import EventProducer
from tests.streams.worker.harness import Pipeline
from tests.streams.worker.scenario import scenario

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]


async def test_a_worker_whose_ingest_fails_exits_with_status_1(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    pipeline = Pipeline(broker, tmp_path, partitions=2)
    await pipeline.create_topics()
    worker = pipeline.worker("w").start("tests.streams.worker.failing_worker")
    try:
        await worker.wait_assigned()
        async with EventProducer(pipeline.conn, pipeline.settings.events_topic) as producer:
            await producer.send(scenario(contacts=5, tag="fail")[:5])
        assert worker.process is not None
        # Generous for a loaded machine; the worker itself ends within stop_timeout_s + 1 s.
        code = await asyncio.to_thread(worker.process.wait, 60)
        assert code == 1, worker.tail()
        assert "ingest loop failed: TypeError('Recursion limit reached')" in worker.tail()
    finally:
        worker.stop()
