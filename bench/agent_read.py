"""What a snapshot read costs as agent transitions accumulate: the simulated 1,000-agent traffic
restamped to a steady rate of event time (as ``bench.latency`` sends it), applied to one engine,
read at the newest event's time at steps of event time up to past the allowed lateness (600 s in
the example configuration), when transitions stop accumulating.

At each step: the agent transitions still pending (within the lateness), the median and p99 time
of the engine's whole snapshot read every ``--read-every-ms`` of event time during the step while
the traffic is applied (as a worker publishes: reads keep window sums between them, so a read
repeated without traffic in between would cost less), and the size and encoding time of the
checkpoint of the step's last second (a worker checkpoints every second by default). One
engine of ``--partitions`` takes the events whose partition key hashes (crc32) to 0: the same
share of the traffic as one partition of the worker's topic, not the same events.

    python -m bench.agent_read [--rate 2000] [--seconds 660] [--partitions 4]
                               [--read-every-ms 250] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
import zlib

import msgspec

from bench.workload import DAY_MS, DAY_START_MS, RESULTS, centre, config
from floorboard.engine.engine import Engine
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.engine.read import snapshot
from floorboard.engine.tables import AGENT_CHUNKS, AGENT_RECENT, AGENTS
from floorboard.events.model import partition_key
from floorboard.simulator import generate

START = DAY_START_MS + 9 * 3_600_000  # 09:00: a busy floor from the first second


def read_ms(engine: Engine, now: int) -> float:
    began = time.perf_counter()
    snapshot(engine, now, "bench")
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=2000, help="events per second of event time")
    parser.add_argument("--seconds", type=int, default=660, help="event time fed, in seconds")
    parser.add_argument("--partitions", type=int, default=4, help="the engine takes one of these")
    parser.add_argument(
        "--read-every-ms", type=int, default=250, help="event time between two snapshot reads"
    )
    parser.add_argument("--quick", action="store_true", help="a small run (the test suite)")
    args = parser.parse_args()
    rate, seconds = (200, 30) if args.quick else (args.rate, args.seconds)
    steps = sorted({s for s in (30, 60, 120, 300, 600, seconds) if s <= seconds})
    tune_for_engine()  # as the worker does
    cfg = config()
    engine = Engine(cfg, clock=lambda: (START + (seconds + 60) * 1000) / 1000)
    source = generate(cfg, centre(1000), START, 7 * DAY_MS, 3)
    rows = []
    sent = 0
    reads: list[float] = []  # this step's read times, ms
    next_read = START + args.read_every_ms

    def feed(until_s: int) -> None:
        nonlocal sent, next_read
        for event in itertools.islice(source, until_s * rate - sent):
            ts = START + sent * 1000 // rate
            sent += 1
            if ts >= next_read:
                reads.append(read_ms(engine, next_read))
                next_read += args.read_every_ms
            key = partition_key(event).encode()
            if zlib.crc32(key) % args.partitions:
                continue
            times = {"ts": ts}
            received = getattr(event, "received_ts", None)
            if received is not None:  # keep the item's age
                times["received_ts"] = ts - (event.ts - received)
            engine.apply(msgspec.structs.replace(event, **times))

    for step in steps:
        # The step's last second alone goes into the timed checkpoint: what a worker writes
        # each checkpoint interval (1 s by default).
        feed(step - 1)
        engine.checkpoint(sent)
        feed(step)
        began = time.perf_counter()
        changes = engine.checkpoint(sent).changes
        checkpoint_ms = (time.perf_counter() - began) * 1000
        agents = engine.state.tables[AGENTS]
        row = {
            "event_seconds": step,
            "agents": len(agents),
            "pending_transitions": sum(map(len, engine.state.tables[AGENT_CHUNKS].values()))
            + sum(len(rec[AGENT_RECENT]) for rec in agents.values()),
            "snapshot_ms": round(statistics.median(reads), 2),
            "snapshot_p99_ms": round(statistics.quantiles(reads, n=100)[98], 2),
            "checkpoint_keys": len(changes),
            "checkpoint_bytes": sum(len(k) + len(v or b"") for k, v in changes),
            "checkpoint_ms": round(checkpoint_ms, 2),
        }
        rows.append(row)
        reads.clear()
        print(f"{step:>5} s of event time: {row['agents']:>5} agents,"
              f" {row['pending_transitions']:>7,} pending transitions,"
              f" snapshot read median {row['snapshot_ms']:>6.2f} ms,"
              f" p99 {row['snapshot_p99_ms']:>6.2f} ms,"
              f" checkpoint of its last second {row['checkpoint_bytes'] / 1e6:5.2f} MB"
              f" in {row['checkpoint_ms']:6.1f} ms")  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "agent_read",
        "rate": rate,
        "read_every_ms": args.read_every_ms,
        "partitions": args.partitions,
        "applied": engine.counters["applied"],
        "steps": rows,
    }
    (RESULTS / "agent_read.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
