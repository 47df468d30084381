"""Replay: time for a worker to rebuild today's KPIs from the start of the topic, for a simulated
full day of a 1,000-agent centre (events in JSON-array records, as a batching producer sends them).

    python -m bench.replay [--agents 1000] [--batch 100] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from bench.worker_process import time_drain
from bench.workload import (
    DAY_MS,
    DAY_START_MS,
    bench_settings,
    centre,
    config,
    fill,
    report,
)
from floorboard.config import EXAMPLE_CONFIG
from floorboard.simulator import generate
from floorboard.streams.broker import EmbeddedBroker


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument(
        "--quick", action="store_true", help="a 50-agent centre, to check the benchmark works"
    )
    args = parser.parse_args()
    agents = 50 if args.quick else args.agents
    events = list(generate(config(), centre(agents), DAY_START_MS, DAY_MS, 1))
    workdir = Path(tempfile.mkdtemp(prefix="floorboard-replay-"))
    config_path = workdir / "floorboard.yaml"
    config_path.write_text(EXAMPLE_CONFIG.read_text(), encoding="utf-8")
    broker = EmbeddedBroker(log_path=workdir / "tansu.log")
    broker.start()
    try:
        tag = f"replay{os.getpid()}"
        settings = bench_settings(broker.bootstrap, tag, args.partitions)
        records, _ = asyncio.run(fill(settings, events, args.batch))
        startup, drain, *_ = time_drain(settings, config_path, workdir, f"{tag}-w", len(events))
    finally:
        broker.stop()
    result = {
        "benchmark": "replay",
        "agents": agents,
        "events": len(events),
        "records": len(records),
        "events_per_record": args.batch,
        "partitions": args.partitions,
        "rebuild_s": round(drain, 2),
        "worker_startup_s": round(startup, 2),
        "rebuild_including_startup_s": round(startup + drain, 2),
        "events_per_s": round(len(events) / drain),
        "target_s": 60,
    }
    report(result)


if __name__ == "__main__":
    main()
