"""The source starts over mid-stream: the embedded broker restarts (memory storage: every topic
comes back empty), or the events topic is deleted and recreated while the broker stays up. The
worker notices, says so once per partition in its log and in a metric, keeps the day's state and
reads the new topic from its start (issue 12, row 5: 7,865 of 8,140 later events were lost,
silently)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.produce import EventProducer
from tests.factory import MINUTE
from tests.streams.worker.compare import comparable, differences, reference
from tests.streams.worker.harness import Pipeline, WorkerProcess
from tests.streams.worker.scenario import scenario, scenario_config

pytestmark = [pytest.mark.broker, pytest.mark.timeout(240)]


async def restart_broker(broker: EmbeddedBroker, pipeline: Pipeline, worker: WorkerProcess) -> None:
    await asyncio.to_thread(broker.stop)
    down = await worker.wait_status("/readyz", 503)  # readiness tells the truth meanwhile
    assert "broker" in down["reasons"], down
    await asyncio.to_thread(broker.start)  # same port, every topic gone
    await pipeline.create_topics()


async def recreate_topic(broker: EmbeddedBroker, pipeline: Pipeline, worker: WorkerProcess) -> None:
    admin = AIOKafkaAdminClient(**pipeline.conn.client_kwargs())
    await admin.start()
    try:
        await admin.delete_topics([pipeline.settings.events_topic])
    finally:
        await admin.close()
    await pipeline.create_topics()
    # Nothing tells a consumer on this broker: the periodic check finds the anchor record gone.
    # Producers wait for it here; a new topic that outgrows the old position before the check
    # is detected too, but not exactly (docs/known-issues.md).
    resets = pipeline.partitions
    await worker.wait_until(lambda health: health["totals"].get("source_resets", 0) >= resets)


StartOver = Callable[[EmbeddedBroker, Pipeline, WorkerProcess], Awaitable[None]]


@pytest.mark.parametrize(
    "start_over", [restart_broker, recreate_topic], ids=["restart", "recreate"]
)
async def test_a_source_that_starts_over_is_detected_and_nothing_after_it_is_lost(
    fresh_broker: Callable[[], EmbeddedBroker], tmp_path: Path, start_over: StartOver
) -> None:
    broker = fresh_broker()
    events = scenario(contacts=200, tag="reset")
    before, after = events[: len(events) // 2], events[len(events) // 2 :]
    at = max(e.ts for e in events) + MINUTE
    pipeline = Pipeline(broker, tmp_path, partitions=2, read_at=at,
                        worker_env={"FLOORBOARD_WORKER_READY_BROKER_WITHIN_S": "4"})  # fmt: skip
    await pipeline.create_topics()
    worker = pipeline.worker("w").start()
    try:
        await worker.wait_assigned()
        async with EventProducer(pipeline.conn, pipeline.settings.events_topic,
                                 batch_events=5) as producer:  # fmt: skip
            await producer.send(before)
        await pipeline.wait_for_counts(len(before), timeout=90, watch=[worker])
        await start_over(broker, pipeline, worker)
        async with EventProducer(pipeline.conn, pipeline.settings.events_topic,
                                 batch_events=5) as producer:  # fmt: skip
            await producer.send(after)
        records = await pipeline.wait_for_counts(len(events), timeout=150, watch=[worker])
        want = comparable(reference(scenario_config(), events, at))
        found = differences(comparable(records), want)
        assert [d for d in found if not d.startswith("counters[")] == [], found
        metrics = await worker.http("/metrics")
        resets = [line for line in metrics.splitlines()
                  if line.startswith("floorboard_source_resets_total{")]  # fmt: skip
        assert resets == [
            f'floorboard_source_resets_total{{topic="{pipeline.settings.events_topic}"}} 2.0'
        ], resets
        log = worker.log_path.read_text()
        assert log.count("the source topic starts over") == 2, worker.tail()
        await worker.wait_status("/readyz", 200, timeout=60)
    finally:
        worker.stop()
