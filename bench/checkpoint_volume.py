"""What checkpoints write while a worker catches up on a backlog: the first ``--events`` events
of the simulated 1,000-agent day, split over ``--partitions`` engines by partition key (Kafka's
default partitioner, as the events topic is written), each engine checkpointed every
``--every`` of its events (about a second of a worker's catch-up at 100,000 events/s over four
partitions). Prints the changed keys written, the bytes of the write-ahead records and of the
keys, the CPU time of taking and encoding the checkpoints against that of the run (applying and
checkpointing), and the changed keys by table.

In a catch-up, event time runs far ahead of the wall clock, so nearly every second of dedup ids,
agent minute, cell minute and contact is a key of its own; at a live rate most of a second's
events share their keys (``bench.agent_read`` measures that case).

    python -m bench.checkpoint_volume [--events 300000] [--partitions 4] [--every 25000]
                                      [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from aiokafka.partitioner import DefaultPartitioner

from bench.workload import RESULTS, config, simulated
from floorboard.engine.engine import Engine
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.engine.state import decode_key
from floorboard.events.model import partition_key


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--every", type=int, default=25_000, help="events per engine checkpoint")
    parser.add_argument("--quick", action="store_true", help="a small run (the test suite)")
    args = parser.parse_args()
    total, every = (20_000, 2_000) if args.quick else (args.events, args.every)
    events = simulated(total)
    partitioner = DefaultPartitioner()
    every_partition = list(range(args.partitions))
    engines = [Engine(config()) for _ in every_partition]
    since = [0] * args.partitions
    by_table: Counter[str] = Counter()
    sizes = {"checkpoints": 0, "wal": 0, "keys": 0}
    cpu = {"checkpoint": 0.0, "counting": 0.0}

    def take(engine: Engine, offset: int) -> None:
        began = time.process_time()
        checkpoint = engine.checkpoint(offset)
        sizes["wal"] += len(checkpoint.encode())
        counted = time.process_time()
        cpu["checkpoint"] += counted - began
        sizes["checkpoints"] += 1
        for key, value in checkpoint.changes:
            by_table[decode_key(key)[1]] += 1
            sizes["keys"] += len(key) + len(value or b"")
        cpu["counting"] += time.process_time() - counted

    tune_for_engine()  # as the worker does
    started = time.process_time()
    for offset, event in enumerate(events):
        p = partitioner(partition_key(event).encode(), every_partition, every_partition)
        engines[p].apply(event, offset)
        since[p] += 1
        if since[p] >= every:
            take(engines[p], offset)
            since[p] = 0
    for engine in engines:  # what is left since each engine's last checkpoint
        take(engine, total - 1)
    run_cpu = time.process_time() - started - cpu["counting"]
    keys = sum(by_table.values())
    result = {
        "benchmark": "checkpoint_volume",
        "events": total,
        "partitions": args.partitions,
        "events_per_engine_checkpoint": every,
        "checkpoints": sizes["checkpoints"],
        "changed_keys": keys,
        "changed_keys_per_event": round(keys / total, 2),
        "wal_mb": round(sizes["wal"] / 1e6, 1),
        "keys_mb": round(sizes["keys"] / 1e6, 1),
        "checkpoint_cpu_s": round(cpu["checkpoint"], 2),
        "run_cpu_s": round(run_cpu, 2),
        "changed_keys_by_table": dict(by_table.most_common()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "checkpoint_volume.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{total:,} events over {args.partitions} engines, a checkpoint every {every:,} events "
        f"of an engine: {result['checkpoints']} checkpoints\n"
        f"  changed keys: {keys:,} ({result['changed_keys_per_event']} per event); "
        f"write-ahead records {result['wal_mb']} MB, keys {result['keys_mb']} MB\n"
        f"  checkpoint CPU {result['checkpoint_cpu_s']} s of {result['run_cpu_s']} s"
    )
    for table, count in by_table.most_common():
        print(f"  {table:<16} {count:>9,}")


if __name__ == "__main__":
    main()
