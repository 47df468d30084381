"""Scale-out: events/s of one and of two workers sharing an 8-partition topic (same group).

The workers start on the empty topic and the events are produced only once every worker owns its
share of the partitions, so no rebalance falls inside the measurement (a second worker joining
mid-drain stops the group for seconds). Throughput is the slope between 20 % and 80 % of the
events handled. This machine has 2 cores: two workers plus the broker share them.

    python -m bench.scale_out [--events 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.worker_process import BenchWorker
from bench.workload import bench_settings, fill, report, simulated
from floorboard.config import EXAMPLE_CONFIG
from floorboard.events.model import Event
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.topics import ensure_topics, shared_topics

PARTITIONS = 8


def run(broker: EmbeddedBroker, events: list[Event], workers: int, workdir: Path) -> float:
    tag = f"scale{workers}x{os.getpid()}"
    settings = bench_settings(broker.bootstrap, tag, PARTITIONS)
    config_path = workdir / "floorboard.yaml"
    config_path.write_text(EXAMPLE_CONFIG.read_text(), encoding="utf-8")
    asyncio.run(ensure_topics(KafkaConnection.from_settings(settings), shared_topics(settings)))
    group = [
        BenchWorker(settings, config_path, workdir, f"{tag}-group", label=str(i))
        for i in range(workers)
    ]
    try:
        _wait_balanced(group)
        # a small run can be drained by the first sample: then the rate runs from before the fill
        progress: list[tuple[float, int]] = [(time.monotonic(), 0)]
        asyncio.run(fill(settings, events, 100))
        deadline = time.monotonic() + 600
        while True:
            if time.monotonic() > deadline:
                tails = "\n".join(w.log_path.read_text(errors="replace")[-2000:] for w in group)
                handled = progress[-1][1]
                raise SystemExit(
                    f"{workers} worker(s): {handled}/{len(events)} events in 600 s\n{tails}"
                )
            counted = sum(w.counted() if _ready(w) else 0 for w in group)
            progress.append((time.monotonic(), counted))
            if counted >= len(events):
                break
            time.sleep(0.05)
    finally:
        for w in group:
            w.stop()
    low = next(i for i, (_, c) in enumerate(progress) if c >= 0.2 * len(events))
    high = next(i for i, (_, c) in enumerate(progress) if c >= 0.8 * len(events))
    low = min(low, high - 1)  # a fast drain may cross both marks between two samples
    (t0, c0), (t1, c1) = progress[low], progress[high]
    return (c1 - c0) / (t1 - t0)


def _wait_balanced(group: list[BenchWorker], timeout: float = 120) -> None:
    """Until every worker owns partitions, all of them are owned, and that held for 2 s."""
    deadline = time.monotonic() + timeout
    since: float | None = None
    while time.monotonic() < deadline:
        owned = [len(w.health()["partitions"]) if _ready(w) else 0 for w in group]
        if min(owned) > 0 and sum(owned) == PARTITIONS:
            since = since or time.monotonic()
            if time.monotonic() - since >= 2.0:
                return
        else:
            since = None
        time.sleep(0.1)
    raise SystemExit(f"the group did not settle on {PARTITIONS} partitions in {timeout:.0f} s")


def _ready(worker: BenchWorker) -> bool:
    try:
        worker.health()
    except OSError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    total = 60_000 if args.quick else args.events
    events = simulated(total, seed=9)
    workdir = Path(tempfile.mkdtemp(prefix="floorboard-scale-"))
    broker = EmbeddedBroker(log_path=workdir / "tansu.log")
    broker.start()
    try:
        one = run(broker, events, 1, workdir)
        two = run(broker, events, 2, workdir)
    finally:
        broker.stop()
    result = {
        "benchmark": "scale_out",
        "events": len(events),
        "partitions": PARTITIONS,
        "one_worker_events_per_s": round(one),
        "two_workers_events_per_s": round(two),
        "scaling_factor": round(two / one, 2),
        "cpus": os.cpu_count(),
    }
    report(result)


if __name__ == "__main__":
    main()
