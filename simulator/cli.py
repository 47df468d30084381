"""``floorboard simulate`` and ``floorboard replay``."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from floorboard.config import load_config
from simulator import generate
from simulator.emit import paced, to_file, to_kafka
from simulator.feed import Record, records
from simulator.replay import read_records
from simulator.scenario import SCENARIOS

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("simulate", help="simulate a contact centre and emit canonical events")
    p.add_argument("--config", type=Path, required=True, help="Floorboard YAML config")
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="normal")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", default=None,
                   help="simulated start, local time of the first site (default: now)")  # fmt: skip
    p.add_argument("--duration", type=duration_ms, default=duration_ms("8h"),
                   help="simulated time to run, e.g. 30m, 8h, 2d (default 8h)")  # fmt: skip
    p.add_argument("--outage-minutes", type=float, default=None,
                   help="feed_outage: how long the feed stops")  # fmt: skip
    _add_output(p)
    p.set_defaults(func=run_simulate)

    r = sub.add_parser("replay", help="re-emit a recorded JSONL file, keeping the gaps")
    r.add_argument("file", type=Path)
    _add_output(r)
    r.set_defaults(func=run_replay)


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--speed", type=speed, default=None,
        help="1 = real time, 60 = a minute per second, max = flat out (default)",
    )  # fmt: skip
    p.add_argument("--out", type=Path, default=None, help="JSONL file (default: stdout)")
    p.add_argument("--bootstrap", default=None, help="Kafka bootstrap servers: send there")
    p.add_argument("--topic", default="floorboard.events")
    p.add_argument("--batch", type=int, default=1,
                   help="events per Kafka record (JSON array), grouped by key")  # fmt: skip


def duration_ms(text: str) -> int:
    match = _DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"duration like 30m, 8h or 2d, not {text!r}")
    return round(float(match.group(1)) * _UNIT_MS[match.group(2)])


def speed(text: str) -> float | None:
    if text == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"speed is a factor or 'max', not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("speed must be positive")
    return value


def start_ms(text: str | None, zone: dt.tzinfo) -> int:
    if text is None:
        return int(time.time() * 1000)
    try:
        local = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--start wants 2026-11-23T08:00, not {text!r}") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return int(local.timestamp() * 1000)


def deliver(recs: Iterable[Record], args: argparse.Namespace, start: int) -> int:
    batches = paced(recs, args.speed, start)
    if args.bootstrap:
        return asyncio.run(to_kafka(batches, args.bootstrap, args.topic, args.batch))
    return to_file(batches, args.out)


def run_simulate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    scenario = SCENARIOS[args.scenario]
    if args.outage_minutes is not None:
        scenario = scenario.replace(outage_minutes=args.outage_minutes)
    zone = next(iter(config.sites.values())).zone
    try:
        start = start_ms(args.start, zone)
    except argparse.ArgumentTypeError as exc:
        print(f"floorboard simulate: {exc}", file=sys.stderr)
        return 2
    events = generate(config, scenario, start, args.duration, args.seed)
    began = time.perf_counter()
    count = deliver(records(events, scenario, start, args.seed), args, start)
    elapsed = time.perf_counter() - began
    print(f"simulate: {count} records in {elapsed:.1f} s ({count / max(elapsed, 1e-9):,.0f}/s)",
          file=sys.stderr)  # fmt: skip
    return 0


def run_replay(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"floorboard replay: no such file: {args.file}", file=sys.stderr)
        return 2
    recs = list(read_records(args.file))
    start = recs[0].send_ms if recs else 0
    count = deliver(recs, args, start)
    print(f"replay: {count} records", file=sys.stderr)
    return 0
