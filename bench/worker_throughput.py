"""Events per second of one ``floorboard worker`` draining a pre-filled topic (embedded broker).

Fills the events topic with N canonical events (contact lifecycles, surveys, agent states) in
JSON-array records of ``--batch`` events, starts one worker process, and times from the moment it
owns every partition until its /metrics count every event. The baseline in the same run is the
bare engine: the same records decoded and applied in this process, no Kafka, no Faust.

    python -m bench.worker_throughput            # 500k events, batches of 100
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
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import msgspec
import yaml

from bench.baselines import aiokafka_ceiling, textbook_faust
from floorboard.config import RuntimeSettings, parse_config
from streams.broker import EmbeddedBroker, free_port
from streams.engine.engine import Engine
from streams.engine.gc_policy import tune_for_engine
from streams.events.codec import decode_record
from streams.events.model import Event
from streams.kafka import KafkaConnection
from streams.produce import EventProducer
from streams.topics import ensure_topics, shared_topics
from streams.worker.offsets import event_offset

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
T0 = 1795420800000  # 2026-11-23 08:00 UTC, a Monday
QUEUES = ("billing", "support", "sales")
CHANNELS = ("voice", "chat")
TEAMS = {"billing": "red", "support": "blue", "sales": "green"}
CONFIG: dict[str, Any] = {
    "sites": {
        "oslo": {
            "timezone": "Europe/Oslo",
            "queues": {q: {"channels": list(CHANNELS)} for q in QUEUES},
        }
    },
}
OUTCOMES = ("applied", "duplicate", "too_late", "unknown_site")


def workload(total: int, seed: int = 1) -> list[Event]:
    """About ``total`` valid events over 8 hours of event time, in event-time order."""
    rnd = random.Random(seed)
    out: list[dict[str, Any]] = []
    span_ms = 8 * 3600 * 1000
    contacts = max(1, total // 4)
    step = span_ms // contacts
    for i in range(contacts):
        t = T0 + i * step
        queue, channel = rnd.choice(QUEUES), rnd.choice(CHANNELS)
        team = TEAMS[queue]
        agent = f"{team}-{rnd.randint(1, 12)}"
        common = {"site": "oslo", "contact_id": f"c{i}", "queue": queue, "channel": channel}
        out.append({"type": "contact.offered", "ts": t, **common})
        if rnd.random() < 0.1:
            out.append({"type": "contact.abandoned", "ts": t + 20_000, "wait_s": 20, **common})
            continue
        wait = rnd.randint(0, 60)
        who = {"agent": agent, "team": team, **common}
        answered = t + wait * 1000
        ended = answered + rnd.randint(60, 400) * 1000
        out.append({"type": "contact.answered", "ts": answered, "wait_s": wait, **who})
        out.append({"type": "contact.ended", "ts": ended, "talk_s": 200, "hold_s": 5, **who})
        out.append({"type": "contact.wrapup_ended", "ts": ended + 30_000, "acw_s": 30, **who})
        if rnd.random() < 0.2:
            out.append({"type": "survey.response", "ts": ended + 120_000, "site": "oslo",
                        "contact_id": f"c{i}", "csat": rnd.randint(1, 5)})  # fmt: skip
        if rnd.random() < 0.1:
            out.append({"type": "agent.state", "ts": t, "site": "oslo", "agent": agent,
                        "team": team, "state": rnd.choice(["ready", "busy", "acw"])})  # fmt: skip
    out.sort(key=lambda e: int(e["ts"]))
    events = [msgspec.convert({"v": 1, "id": f"e{n}", **body}, Event) for n, body in enumerate(out)]
    return events[:total]


def engine_baseline(config_data: dict[str, Any], records: list[tuple[int, bytes, bytes]]) -> float:
    """Events/s of decode + apply for the same records in this process (one engine each)."""
    config = parse_config(config_data)
    tune_for_engine()  # as the worker does
    engines: dict[int, Engine] = {}
    offsets: Counter[int] = Counter()
    count = 0
    started = time.perf_counter()
    for partition, _key, value in records:
        engine = engines.get(partition) or engines.setdefault(partition, Engine(config))
        events, _ = decode_record(value)
        for index, event in enumerate(events):
            engine.apply(event, event_offset(offsets[partition], index))
        offsets[partition] += 1
        count += len(events)
    return count / (time.perf_counter() - started)


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
        return str(resp.read().decode())


def _counted(totals: dict[str, int]) -> int:
    """Events the worker has handled: engine outcomes plus decode rejections."""
    rejected = sum(n for k, n in totals.items() if k.startswith("dead_letter:"))
    rejected -= totals.get("dead_letter:too_late", 0) + totals.get("dead_letter:unknown_site", 0)
    return sum(totals.get(outcome, 0) for outcome in OUTCOMES) + rejected


def run_worker(
    broker: str, settings: RuntimeSettings, config_path: Path, expected: int, workdir: Path
) -> dict[str, float]:
    port = free_port()
    env = {
        **os.environ,
        "FLOORBOARD_BROKER": broker,
        "FLOORBOARD_EVENTS_TOPIC": settings.events_topic,
        "FLOORBOARD_SNAPSHOTS_TOPIC": settings.snapshots_topic,
        "FLOORBOARD_DEADLETTER_TOPIC": settings.deadletter_topic,
        "FLOORBOARD_WORKER_APP_ID": f"bench-{os.getpid()}",
        "FLOORBOARD_WORKER_LOG_LEVEL": "warning",
        "PYTHONPATH": str(ROOT),
    }
    log_path = workdir / "worker.log"
    cmd = [sys.executable, "-m", "floorboard.cli", "worker", "--config", str(config_path),
           "--web-port", str(port)]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        launched = time.monotonic()
        owned_at = None
        while owned_at is None:
            if process.poll() is not None:
                raise SystemExit(f"worker exited; see {log_path}")
            try:
                health = json.loads(_get(port, "/healthz"))
                if len(health["partitions"]) == settings.events_partitions:
                    owned_at = time.monotonic()
            except OSError:
                pass
            time.sleep(0.05)
        counted = 0
        while counted < expected:
            if process.poll() is not None:
                raise SystemExit(f"worker exited; see {log_path}")
            if time.monotonic() - owned_at > 1800:
                raise SystemExit(f"only {counted} of {expected} events after 30 min")
            time.sleep(0.02)
            counted = _counted(json.loads(_get(port, "/healthz"))["totals"])
        done = time.monotonic()
        return {"startup_s": owned_at - launched, "drain_s": done - owned_at}
    finally:
        process.terminate()
        process.wait(60)


async def fill(
    settings: RuntimeSettings, events: list[Event], batch: int
) -> tuple[list[tuple[int, bytes, bytes]], float]:
    conn = KafkaConnection.from_settings(settings)
    await ensure_topics(conn, shared_topics(settings))
    async with EventProducer(conn, settings.events_topic, batch_events=batch) as producer:
        records = producer.records(events)
        started = time.perf_counter()
        chunk = 5000
        for i in range(0, len(records), chunk):
            futures = [await producer.send_raw(v, k, p) for p, k, v in records[i : i + chunk]]
            await asyncio.gather(*futures)
        return records, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=100, help="events per record (1: no arrays)")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--broker", help="use this broker instead of starting the embedded one")
    parser.add_argument("--quick", action="store_true", help="60k events")
    args = parser.parse_args(argv)
    total = 60_000 if args.quick else args.events
    workdir = Path(tempfile.mkdtemp(prefix="floorboard-bench-"))
    config_path = workdir / "floorboard.yaml"
    config_path.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    events = workload(total)
    broker = None if args.broker else EmbeddedBroker(log_path=workdir / "tansu.log")
    bootstrap = args.broker or (broker.bootstrap if broker else "")
    try:
        if broker is not None:
            broker.start()
        tag = f"bench{os.getpid()}"
        settings = RuntimeSettings(
            broker=bootstrap,
            events_topic=f"{tag}.events",
            events_partitions=args.partitions,
            snapshots_topic=f"{tag}.snapshots",
            deadletter_topic=f"{tag}.deadletter",
        )
        records, fill_s = asyncio.run(fill(settings, events, args.batch))
        baseline = engine_baseline(CONFIG, records)
        timing = run_worker(bootstrap, settings, config_path, len(events), workdir)
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
    rate = len(events) / timing["drain_s"]
    result = {
        "benchmark": "worker_throughput",
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "events": len(events),
        "records": len(records),
        "events_per_record": args.batch,
        "partitions": args.partitions,
        "broker": "external" if args.broker else "embedded tansu (memory)",
        "fill_events_per_s": round(len(events) / fill_s),
        "worker_startup_s": round(timing["startup_s"], 2),
        "worker_drain_s": round(timing["drain_s"], 2),
        "worker_events_per_s": round(rate),
        "worker_records_per_s": round(len(records) / timing["drain_s"]),
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
