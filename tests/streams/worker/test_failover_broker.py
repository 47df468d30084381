"""Two workers share four partitions; one is SIGKILLed mid-stream and restarted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from floorboard.events.model import Event
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.produce import EventProducer
from tests.factory import MINUTE
from tests.streams.worker.compare import comparable, differences, reference
from tests.streams.worker.harness import Pipeline, WorkerProcess
from tests.streams.worker.scenario import scenario, scenario_config

pytestmark = [pytest.mark.broker, pytest.mark.timeout(150)]


async def metric(worker: WorkerProcess, name: str) -> float:
    metrics: str = await worker.http("/metrics")
    for line in metrics.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


async def produce(producer: EventProducer, events: list[Event], pause: float) -> None:
    """A steady stream, 60 events per send."""
    for start in range(0, len(events), 60):
        await producer.send(events[start : start + 60])
        await asyncio.sleep(pause)


async def test_a_worker_killed_mid_stream_and_restarted_loses_and_doubles_nothing(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    events = scenario(contacts=900, tag="failover")
    first, second = events[: len(events) // 2], events[len(events) // 2 :]
    at = max(e.ts for e in events) + MINUTE
    pipeline = Pipeline(broker, tmp_path, partitions=4, read_at=at)
    await pipeline.create_topics()
    a, b = pipeline.worker("a").start(), pipeline.worker("b").start()
    workers = [a, b]
    try:
        await asyncio.gather(a.wait_assigned(), b.wait_assigned())
        for w in workers:  # one assignment: 4 partitions between the two
            await w.wait_until(lambda h: len(h["partitions"]) in (1, 2, 3))
        async with EventProducer(
            pipeline.conn, pipeline.settings.events_topic, batch_events=3
        ) as producer:
            feeding = asyncio.create_task(produce(producer, first, pause=0.1))
            # kill b mid-stream: after a checkpoint of its own and with work since then
            while await metric(b, "floorboard_worker_checkpoints_total") < 1:
                assert not feeding.done(), "production finished before b checkpointed"
                await asyncio.sleep(0.05)
            applied = await metric(b, "floorboard_worker_records_total")
            while await metric(b, "floorboard_worker_records_total") < applied + 10:
                await asyncio.sleep(0.02)
            b.kill()
            workers.remove(b)
            assert not feeding.done(), "b was killed after production ended"
            # a takes over b's partitions, restoring them from b's checkpoints
            await a.wait_until(lambda h: len(h["partitions"]) == 4, timeout=60)
            await feeding
            feeding = asyncio.create_task(produce(producer, second, pause=0.05))
            restarted = pipeline.worker("b2").start()
            workers.append(restarted)
            # b2 takes partitions back, restoring them from a's checkpoints
            await restarted.wait_assigned(timeout=60)
            await feeding
        records = await pipeline.wait_for_counts(len(events), timeout=60, watch=workers)
        want = comparable(reference(scenario_config(), events, at))
        assert differences(comparable(records), want) == []
        assert "redelivered" not in comparable(records)["counters"]
        assert await metric(a, "floorboard_worker_restores_total") >= 4
    finally:
        for w in workers:
            w.stop()
