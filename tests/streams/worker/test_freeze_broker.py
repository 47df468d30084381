"""The broker freezes (SIGSTOP) for 15 s mid-stream; the worker recovers by itself, says it is not
ready meanwhile, and stops within its stop timeout when asked to during a freeze."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.produce import EventProducer
from tests.factory import MINUTE
from tests.streams.worker.compare import comparable, differences, reference
from tests.streams.worker.harness import Pipeline
from tests.streams.worker.scenario import scenario, scenario_config

pytestmark = [pytest.mark.broker, pytest.mark.timeout(150)]
FREEZE_S = 15
READY_FAST = {"FLOORBOARD_WORKER_READY_BROKER_WITHIN_S": "4"}


async def test_a_frozen_broker_costs_time_but_no_events(
    fresh_broker: Callable[[], EmbeddedBroker], tmp_path: Path
) -> None:
    broker = fresh_broker()  # its own: freezing the shared one would stall other tests
    events = scenario(contacts=400, tag="freeze")
    first, second, third = events[:600], events[600:1200], events[1200:]
    at = max(e.ts for e in events) + MINUTE
    pipeline = Pipeline(broker, tmp_path, partitions=4, read_at=at, worker_env=READY_FAST)
    await pipeline.create_topics()
    worker = pipeline.worker("w").start()
    try:
        await worker.wait_assigned()
        await worker.wait_status("/readyz", 200)
        async with EventProducer(
            pipeline.conn, pipeline.settings.events_topic, batch_events=5, request_timeout_ms=60_000
        ) as producer:
            await producer.send(first)
            await pipeline.wait_for_counts(len(first), timeout=60, watch=[worker])
            # records still in flight when the broker stops, then delivered after it resumes
            sending = asyncio.create_task(producer.send(second))
            await asyncio.sleep(0.05)
            broker.pause()
            try:
                await asyncio.sleep(FREEZE_S)
                worker.assert_alive()
                # issue 12, row 8: /healthz said "ok" through a freeze
                code, ready = await worker.status("/readyz")
                assert code == 503 and "broker" in ready["reasons"], ready
                assert (await worker.status("/livez"))[0] == 200  # alive, just not ready
                metrics = await worker.http("/metrics")
                assert 'floorboard_worker_ready_condition{condition="broker"} 0.0' in metrics
            finally:
                broker.resume()
            await sending
            await producer.send(third)
        records = await pipeline.wait_for_counts(len(events), timeout=90, watch=[worker])
        want = comparable(reference(scenario_config(), events, at))
        assert differences(comparable(records), want) == []
        health = await worker.http("/healthz")
        assert health["status"] == "ok" and sorted(health["partitions"]) == [0, 1, 2, 3]
        assert set(health["lag"].values()) == {0}
        await worker.wait_status("/readyz", 200)
    finally:
        worker.stop()


async def test_sigterm_during_a_freeze_ends_the_worker_within_its_stop_timeout(
    fresh_broker: Callable[[], EmbeddedBroker], tmp_path: Path
) -> None:
    broker = fresh_broker()
    pipeline = Pipeline(broker, tmp_path, partitions=2, worker_env=READY_FAST)
    await pipeline.create_topics()
    worker = pipeline.worker("w").start()
    try:
        await worker.wait_assigned()
        assert worker.process is not None
        broker.pause()
        try:
            await asyncio.sleep(2)
            worker.process.send_signal(signal.SIGTERM)
            # stop timeout 8 s + 1 s; the wait allows for a loaded machine's slow start-up of
            # the timer thread, not for a hang (which lasted over 60 s)
            await asyncio.to_thread(worker.process.wait, 20)
        finally:
            broker.resume()
    finally:
        worker.stop()
