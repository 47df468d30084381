"""What the drill-down's queue-day records cost a worker: the time to read them and their size,
beside the per-second snapshot, on one engine that holds a whole simulated floor's morning.

The worker publishes the snapshot every second and the queue-day records at most every
``engine.day.PUBLISH_EVERY_S``; this prints both reads' median time and encoded size, and the
size of the ABANDONS table (the bounded abandoned lists) in the checkpoint encoding.

    python -m bench.day_records [--agents 1000] [--until-hour 12] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

import msgspec

from bench.workload import DAY_START_MS, centre, config, report
from floorboard.engine.day import PUBLISH_EVERY_S, day_records
from floorboard.engine.engine import Engine
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import Snapshot, encode
from floorboard.engine.tables import ABANDONS
from floorboard.simulator import generate

HOUR_MS = 3_600_000


def median_ms(read: Callable[[], Sequence[Snapshot]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--until-hour", type=int, default=12)
    parser.add_argument(
        "--quick", action="store_true", help="a small run that checks the benchmark works"
    )
    args = parser.parse_args()
    agents, hours = (39, 9) if args.quick else (args.agents, args.until_hour)
    cfg = config()
    engine = Engine(cfg, clock=lambda: DAY_START_MS / 1000 + 2 * 86400)
    tune_for_engine()
    for event in generate(cfg, centre(agents), DAY_START_MS, hours * HOUR_MS, seed=1):
        engine.apply(event)
    now = DAY_START_MS + hours * HOUR_MS
    repeat = 3 if args.quick else 21
    snap = snapshot(engine, now, "p0")
    days = day_records(engine, now, "p0")
    abandons = engine.state.tables[ABANDONS]
    result = {
        "benchmark": "day_records",
        "agents": agents,
        "read_at_hour": hours,
        "queue_day_records": len(days),
        "abandoned_listed": sum(len(d.abandoned) for d in days),
        "snapshot_ms": round(median_ms(lambda: snapshot(engine, now, "p0"), repeat), 2),
        "snapshot_bytes": sum(len(encode(r)) for r in snap),
        "day_records_ms": round(median_ms(lambda: day_records(engine, now, "p0"), repeat), 2),
        "day_records_bytes": sum(len(encode(r)) for r in days),
        "day_records_every_s": PUBLISH_EVERY_S,
        "abandons_table_bytes": sum(
            len(msgspec.msgpack.encode([k, v])) for k, v in abandons.items()
        ),
    }
    report(result)


if __name__ == "__main__":
    main()
