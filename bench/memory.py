"""Worker memory over a long accelerated run: RSS while a worker applies four simulated days of a
1,000-agent centre, sampled against simulated time.

Every retained structure is bounded by a window: minute buckets (~70 min), quarter buckets
(~27 h), event ids (``dedup_ttl_s``, 24 h) and contacts (``contact_ttl_s``). The benchmark sets
``contact_ttl_s`` to one day (the default is seven) so that every window is full after about 27
simulated hours. Traffic is daily, so RSS in steady state is periodic: growth is measured
between the daily peaks from day 2 (whose peak comes after the windows are full) to the last day.

    python -m bench.memory [--days 4] [--agents 1000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import yaml

from bench.worker_process import BenchWorker
from bench.workload import (
    DAY_MS,
    DAY_START_MS,
    RESULTS,
    bench_settings,
    centre,
    config,
    fill,
)
from floorboard.config import EXAMPLE_CONFIG
from floorboard.simulator import generate
from floorboard.simulator.progress import terminal_bar
from floorboard.streams.broker import EmbeddedBroker

HOUR_MS = 3_600_000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=4, help="at least 2 (default 4)")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="two days of 50 agents")
    args = parser.parse_args()
    days, agents = (2, 50) if args.quick else (args.days, args.agents)
    if days < 2:
        parser.error("--days must be at least 2: growth is compared between whole days")
    events = list(generate(config(), centre(agents), DAY_START_MS, days * DAY_MS, 5))
    event_ts = [e.ts for e in events]
    workdir = Path(tempfile.mkdtemp(prefix="floorboard-memory-"))
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    data["engine"]["contact_ttl_s"] = 86400
    config_path = workdir / "floorboard.yaml"
    config_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    broker = EmbeddedBroker(log_path=workdir / "tansu.log")
    broker.start()
    samples: list[tuple[float, int]] = []  # (simulated hours since start, RSS bytes)
    try:
        tag = f"mem{os.getpid()}"
        settings = bench_settings(broker.bootstrap, tag, 4)
        asyncio.run(fill(settings, events, 100))
        worker = BenchWorker(settings, config_path, workdir, f"{tag}-worker")
        try:
            worker.wait_partitions(4)
            done = threading.Event()
            detail = "{task.completed:.1f} of {task.total} simulated hours"
            with terminal_bar("memory", days * 24, detail) as bar:
                while not done.is_set():
                    counted = worker.counted()
                    at = event_ts[min(counted, len(event_ts)) - 1] if counted else DAY_START_MS
                    samples.append(((at - DAY_START_MS) / HOUR_MS, worker.rss_bytes()))
                    bar.update(samples[-1][0])
                    if counted >= len(events):
                        done.set()
                    time.sleep(0.25)
            time.sleep(3)  # a few snapshot cycles after the last event
            samples.append((days * 24.0, worker.rss_bytes()))
        finally:
            worker.stop()
    finally:
        broker.stop()
    # Traffic is daily, so once the windows are full RSS is periodic, not constant: it swells with
    # each day's working set and CPython keeps the freed arenas overnight. Growth is therefore
    # measured between the same phase of successive days (each day's peak), from the first day
    # that starts with full windows; the naive figure from the first sample after hour 30 (a
    # night-time trough) to the end is reported beside it.
    full_from = 30.0 if days * 24 > 30 else days * 24 * 0.6
    steady = [rss for hours, rss in samples if hours >= full_from]
    by_day: dict[int, int] = {}
    for hours, rss in samples:
        day = min(int(hours // 24), days - 1)
        by_day[day] = max(by_day.get(day, 0), rss)
    peaks = [by_day[day] for day in sorted(by_day)]
    result = {
        "benchmark": "memory",
        "agents": agents,
        "simulated_days": days,
        "events": len(events),
        "rss_mb_at_start": round(samples[0][1] / 2**20, 1),
        "peak_rss_mb_by_day": [round(p / 2**20, 1) for p in peaks],
        "peak_growth_after_full": round(peaks[-1] / peaks[1] - 1, 3),
        "rss_mb_at_hour_30": round(steady[0] / 2**20, 1),
        "rss_mb_at_end": round(steady[-1] / 2**20, 1),
        "growth_from_hour_30": round(steady[-1] / steady[0] - 1, 3),
        "target_growth": 0.10,
        "samples": [
            (round(h, 2), round(r / 2**20, 1)) for h, r in samples[:: max(1, len(samples) // 40)]
        ],
    }
    for key, value in result.items():
        if key != "samples":
            print(f"{key:28} {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "memory.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
