"""Events per second of one ``floorboard worker`` draining a pre-filled topic (embedded broker).

Fills the events topic with N simulated events (the normal-day mix of a 1,000-agent centre,
``bench/workload.py``) in JSON-array records of ``--batch`` events, starts one worker process, and
times from the moment it owns every partition until it has handled every event. In the same run,
on the same records: the bare engine (decode + apply in this process, no Kafka, no Faust), the
textbook Faust app (``bench/baselines/textbook_faust.py``) and raw aiokafka ``getmany`` as the
ceiling.

    python -m bench.worker_throughput            # 1M events, batches of 100
    python -m bench.worker_throughput --quick    # 60k events
    python -m bench.worker_throughput --batch 1  # one event per record

Prints the figures and writes them as JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.baselines import aiokafka_ceiling, textbook_faust
from bench.worker_process import time_drain
from bench.workload import RESULTS, bench_settings, config, fill, simulated
from floorboard.config import EXAMPLE_CONFIG
from floorboard.engine.engine import Engine
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.events.codec import decode_record
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.worker.offsets import event_offset

ROOT = Path(__file__).resolve().parents[1]


def engine_baseline(records: list[tuple[int, bytes, bytes]]) -> float:
    """Events/s of decode + apply for the same records in this process (one engine each)."""
    settings = config()
    tune_for_engine()  # as the worker does
    engines: dict[int, Engine] = {}
    offsets: Counter[int] = Counter()
    count = 0
    started = time.perf_counter()
    for partition, _key, value in records:
        engine = engines.get(partition) or engines.setdefault(partition, Engine(settings))
        events, _ = decode_record(value)
        for index, event in enumerate(events):
            engine.apply(event, event_offset(offsets[partition], index))
        offsets[partition] += 1
        count += len(events)
    return count / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100, help="events per record (1: no arrays)")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--broker", help="use this broker instead of starting the embedded one")
    parser.add_argument("--quick", action="store_true", help="60k events")
    args = parser.parse_args(argv)
    total = 60_000 if args.quick else args.events
    workdir = Path(tempfile.mkdtemp(prefix="floorboard-bench-"))
    config_path = workdir / "floorboard.yaml"
    config_path.write_text(EXAMPLE_CONFIG.read_text(), encoding="utf-8")
    events = simulated(total)
    broker = None if args.broker else EmbeddedBroker(log_path=workdir / "tansu.log")
    bootstrap = args.broker or (broker.bootstrap if broker else "")
    try:
        if broker is not None:
            broker.start()
        tag = f"bench{os.getpid()}"
        settings = bench_settings(bootstrap, tag, args.partitions)
        records, fill_s = asyncio.run(fill(settings, events, args.batch))
        baseline = engine_baseline(records)
        startup, drain, cpu, reads = time_drain(
            settings, config_path, workdir, f"{tag}-w", len(events)
        )
        # Baselines on the same topic in the same run: the textbook Faust app and raw aiokafka.
        textbook_s = textbook_faust.run(
            bootstrap, settings.events_topic, args.partitions, len(events)
        )
        ceiling_s = asyncio.run(
            aiokafka_ceiling.drain(bootstrap, settings.events_topic, len(records))
        )
    finally:
        if broker is not None:
            broker.stop()
    rate = len(events) / drain
    result = {
        "benchmark": "worker_throughput",
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "events": len(events),
        "records": len(records),
        "events_per_record": args.batch,
        "partitions": args.partitions,
        "broker": "external" if args.broker else "embedded tansu (memory)",
        "fill_events_per_s": round(len(events) / fill_s),
        "worker_startup_s": round(startup, 2),
        "worker_drain_s": round(drain, 2),
        "worker_events_per_s": round(rate),
        "worker_records_per_s": round(len(records) / drain),
        "worker_cpu_s": round(cpu, 2),
        # /proc counts CPU in clock ticks (10 ms): a tiny drain may show none.
        "worker_events_per_cpu_s": round(len(events) / max(cpu, 0.01)),
        # Time the worker spent reading partitions for snapshots, not applying records.
        "worker_snapshot_s": round(reads, 2),
        "worker_snapshot_share_of_cpu": round(reads / max(cpu, 0.01), 3),
        "engine_only_events_per_s": round(baseline),
        "worker_vs_engine_only": round(rate / baseline, 3),
        "textbook_faust_events_per_s": round(len(events) / textbook_s),
        "worker_vs_textbook_faust": round(rate * textbook_s / len(events), 1),
        "aiokafka_getmany_records_per_s": round(len(records) / ceiling_s),
        "aiokafka_getmany_events_per_s": round(len(events) / ceiling_s),
        "worker_share_of_aiokafka": round(rate * ceiling_s / len(events), 3),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "command": "python -m bench.worker_throughput " + " ".join(argv or sys.argv[1:]),
    }
    shutil.rmtree(workdir, ignore_errors=True)  # kept only when the run failed (logs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"worker_throughput-{stamp}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{result['events']} events in {result['records']} records ({args.batch}/record), "
        f"{args.partitions} partitions\n"
        f"  one worker:   {result['worker_events_per_s']:>9,} events/s "
        f"({result['worker_records_per_s']:,} records/s; drain {result['worker_drain_s']} s, "
        f"start-up {result['worker_startup_s']} s)\n"
        f"                {result['worker_events_per_cpu_s']:>9,} events per CPU second "
        f"of the worker process ({result['worker_cpu_s']} CPU s over the drain; snapshot "
        f"reads {result['worker_snapshot_s']} s of it)\n"
        f"  engine only:  {result['engine_only_events_per_s']:>9,} events/s "
        f"(decode + apply in one process, no Kafka)\n"
        f"  ratio:        {result['worker_vs_engine_only']}\n"
        f"  textbook Faust: {result['textbook_faust_events_per_s']:>9,} events/s "
        f"(a tumbling table per KPI); worker = {result['worker_vs_textbook_faust']}×\n"
        f"  aiokafka:     {result['aiokafka_getmany_events_per_s']:>9,} events/s "
        f"({result['aiokafka_getmany_records_per_s']:,} records/s, raw getmany); "
        f"worker = {result['worker_share_of_aiokafka']} of it\n"
        f"  written to {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
