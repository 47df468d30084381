"""Latency from event time to a figure being visible, at a steady 2,000 events/s:
in the worker's counters, and in the snapshot stream the wallboard reads.

Events from the simulated 1,000-agent centre are re-stamped with the wall clock as they are sent
(event time = now). An event is visible in the snapshot stream when a status record of its
partition arrives at a snapshot reader with an applied count that includes it: the n-th event
sent to a partition is in the first status record of that partition counting n or more. This is
timed as the reader receives the record, and per partition, so a partition published late is not
hidden by others published early.

Two figures are polled every 50 ms, each in a loop of its own, which adds up to 50 ms to each
measurement: the worker's applied total in ``/healthz`` (the counter ``/metrics`` exports as
``floorboard_worker_events_total{outcome="applied"}``), and the snapshot stream's applied total
summed over the partitions (``to_snapshot_stream_polled``, the figure of the rounds before the
per-partition one; a ``/healthz`` answer waits while the worker publishes, and must not delay the
look at the stream). The polls read neither ``/metrics`` nor the merged board: each costs tens of
milliseconds as the day fills (printed at the end as ``metrics_scrape``), which Prometheus spends
every 15 s or so and a board every second, but 20 polls a second would take most of the worker's
CPU and make the figure measure the polling.

    python -m bench.latency [--rate 2000] [--seconds 60] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import msgspec
from aiokafka import AIOKafkaProducer

from bench.worker_process import BenchWorker
from bench.workload import DAY_MS, RESULTS, bench_settings, centre, config
from floorboard.config import EXAMPLE_CONFIG, RuntimeSettings
from floorboard.engine.snapshot import Snapshot, SourceStatus
from floorboard.events.codec import encode
from floorboard.events.model import partition_key
from floorboard.simulator import generate
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.topics import ensure_topics, shared_topics
from floorboard.wallboard.reader import SnapshotReader
from floorboard.wallboard.store import RecordStore

APPLIED = re.compile(r'^floorboard_worker_events_total\{outcome="applied"\} ([0-9.e+]+)$', re.M)
SCRAPES = 5  # /metrics scrapes timed at the end


class Sent:
    """Each event's event time (ms) in the order sent, in all and per partition."""

    def __init__(self) -> None:
        self.times: list[int] = []
        self.by_partition: dict[int, list[int]] = {}


class StatusTimes(RecordStore):
    """A reader's store that also notes, per partition, when each status record arrived and the
    applied count it carried."""

    def __init__(self, layout_id: str) -> None:
        super().__init__(layout_id, max_age_ms=10**9)
        self.arrivals: dict[int, list[tuple[int, int]]] = {}

    def add(self, record: Snapshot, received_ms: int) -> None:
        super().add(record, received_ms)
        if isinstance(record, SourceStatus):
            partition = int(record.source.rsplit("/", 1)[1])
            applied = record.counters.get("applied", 0)
            self.arrivals.setdefault(partition, []).append((received_ms, applied))


async def produce(settings: RuntimeSettings, rate: int, seconds: float, sent: Sent) -> None:
    # a week of traffic, drawn lazily: any --seconds at any rate finds events (restamped to now)
    source = generate(
        config(), centre(1000), int(time.time() * 1000) - 8 * 3_600_000, 7 * DAY_MS, 3
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.broker, enable_idempotence=False, linger_ms=2
    )
    await producer.start()
    try:
        tick = 0.05
        per_tick = max(1, round(rate * tick))
        began = time.monotonic()
        ticks = round(seconds / tick)
        for n in range(ticks):
            now_ms = int(time.time() * 1000)
            pending = []
            for event in (next(source) for _ in range(per_tick)):
                times = {"ts": now_ms}
                received = getattr(event, "received_ts", None)
                if received is not None:  # keep the item's age, whatever the time of day
                    times["received_ts"] = now_ms - (event.ts - received)
                stamped = msgspec.structs.replace(event, **times)
                pending.append(
                    await producer.send(
                        settings.events_topic, encode(stamped), key=partition_key(stamped).encode()
                    )
                )
                sent.times.append(now_ms)
            await producer.flush()
            for delivered in pending:  # in the order sent, which is each partition's order
                partition = (await delivered).partition
                sent.by_partition.setdefault(partition, []).append(now_ms)
            delay = began + (n + 1) * tick - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
    finally:
        await producer.stop()


def latencies(observations: list[tuple[int, int]], times: list[int]) -> list[float]:
    """Per event: first time (ms) a count ≥ its index was observed, minus its event time."""
    out: list[float] = []
    observations = _monotone(observations)
    counts = [c for _, c in observations]
    for index, event_ms in enumerate(times, start=1):
        at = bisect.bisect_left(counts, index)
        if at < len(observations):
            out.append((observations[at][0] - event_ms) / 1000)
    return out


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_s": round(statistics.median(ordered), 3),
        "p99_s": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
        "max_s": round(ordered[-1], 3),
        "events": len(ordered),
    }


async def run(rate: int, seconds: float, workdir: Path) -> dict[str, object]:
    broker = EmbeddedBroker(log_path=workdir / "tansu.log")
    broker.start()
    tag = f"lat{os.getpid()}"
    settings = bench_settings(broker.bootstrap, tag, 4)
    config_path = workdir / "floorboard.yaml"
    config_path.write_text(EXAMPLE_CONFIG.read_text(), encoding="utf-8")
    await ensure_topics(KafkaConnection.from_settings(settings), shared_topics(settings))
    worker = BenchWorker(settings, config_path, workdir, f"{tag}-worker")
    worker_obs: list[tuple[int, int]] = []
    snapshot_obs: list[tuple[int, int]] = []
    try:
        await asyncio.to_thread(worker.wait_partitions, 4)
        store = StatusTimes(_layout_id())
        reader_task = asyncio.create_task(
            SnapshotReader(KafkaConnection.from_settings(settings), settings.snapshots_topic)(store)
        )
        sent = Sent()
        stop = asyncio.Event()

        async def poll_worker() -> None:
            while not stop.is_set():
                now = int(time.time() * 1000)
                health = await asyncio.to_thread(worker.health)
                worker_obs.append((now, health["totals"].get("applied", 0)))
                await asyncio.sleep(0.05)

        async def poll_snapshots() -> None:
            # Apart from the worker's poll: a /healthz answer waits while the worker publishes.
            while not stop.is_set():
                snapshot_obs.append((int(time.time() * 1000), store.counters().get("applied", 0)))
                await asyncio.sleep(0.05)

        poller = asyncio.gather(poll_worker(), poll_snapshots())
        await produce(settings, rate, seconds, sent)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
            not snapshot_obs or snapshot_obs[-1][1] < len(sent.times)
        ):
            await asyncio.sleep(0.2)
        stop.set()
        await poller
        reader_task.cancel()
        scrape = await asyncio.to_thread(time_scrapes, worker)
    finally:
        worker.stop()
        broker.stop()
    return {
        "benchmark": "latency",
        "rate_events_per_s": rate,
        "seconds": seconds,
        "sent": len(sent.times),
        "to_worker": summary(latencies(worker_obs, sent.times)),
        "to_snapshot_stream": summary(
            [
                seconds
                for partition, times in sent.by_partition.items()
                for seconds in latencies(store.arrivals.get(partition, []), times)
            ]
        ),
        "to_snapshot_stream_polled": summary(latencies(snapshot_obs, sent.times)),
        "metrics_scrape": scrape,
        "target_p99_to_snapshot_s": 0.5,
    }


def time_scrapes(worker: BenchWorker) -> dict[str, float]:
    """The median time and the size of a ``/metrics`` scrape after the run (the worker idle), and
    whether it counted every event."""
    times, size, counted = [], 0, 0.0
    for _ in range(SCRAPES):
        began = time.perf_counter()
        text = worker.metrics()
        times.append(time.perf_counter() - began)
        size = len(text)
        found = APPLIED.search(text)
        counted = float(found.group(1)) if found else 0.0
    return {"median_ms": round(statistics.median(times) * 1000, 1), "bytes": size,
            "applied": counted}  # fmt: skip


def _monotone(observations: list[tuple[int, int]]) -> list[tuple[int, int]]:
    best, out = 0, []
    for at, count in observations:
        best = max(best, count)
        out.append((at, best))
    return out


def _layout_id() -> str:
    from floorboard.engine.layout import Layout
    from floorboard.engine.read import layout_id

    cfg = config()
    return layout_id(Layout(cfg.wait_bounds_ms, cfg.handle_bounds_ms))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 8 if args.quick else args.seconds
    result = asyncio.run(
        run(args.rate, seconds, Path(tempfile.mkdtemp(prefix="floorboard-latency-")))
    )
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latency.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
