"""``floorboard simulate`` and ``floorboard replay``."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import logging
import math
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from floorboard.config import RuntimeSettings, add_config, load_config, runtime_settings
from floorboard.simulator import generate
from floorboard.simulator.emit import paced, to_file, to_kafka
from floorboard.simulator.feed import Record, records
from floorboard.simulator.progress import with_progress
from floorboard.simulator.queue_log import queue_log_records
from floorboard.simulator.replay import read_records
from floorboard.simulator.scenario import SCENARIOS

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
DEFAULT_OUTAGE_START_MIN = 60.0


def configure_simulate(p: argparse.ArgumentParser) -> None:
    add_config(p)
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="normal")
    p.add_argument("--seed", type=int, default=1, help="same seed, same bytes (default 1)")
    p.add_argument(
        "--start",
        default=None,
        help="simulated start, e.g. 2026-11-23T08:00, local time of the first site (default: now)",
    )
    p.add_argument(
        "--duration",
        type=duration_ms,
        default=duration_ms("8h"),
        help="simulated time to run, e.g. 30m, 8h, 2d (default 8h)",
    )
    p.add_argument(
        "--scale",
        type=positive_float,
        default=1.0,
        help="multiply the scenario's agents and arrival rates (default 1: 39 agents a site)",
    )
    p.add_argument(
        "--outage-minutes",
        type=minutes,
        default=None,
        help="the feed stops for this long, an hour into the run (feed_outage default: 15)",
    )
    _add_output(p, default_speed="max")
    p.add_argument(
        "--format",
        choices=("events", "queue_log"),
        default="events",
        help="queue_log: the first site's calls and agents as an Asterisk queue_log (with --out)",
    )
    p.set_defaults(func=run_simulate, command="simulate")


def configure_replay(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path)
    _add_output(p, default_speed="1")
    p.set_defaults(func=run_replay, command="replay")


def _add_output(p: argparse.ArgumentParser, default_speed: str) -> None:
    p.add_argument(
        "--speed",
        type=speed,
        default=speed(default_speed),
        help="1 = real time, 60 = a simulated minute per second, max = flat out "
        f"(default {default_speed})",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, default=None, help="JSONL file (default: stdout)")
    where.add_argument("--bootstrap", default=None, help="Kafka bootstrap servers: send there")
    p.add_argument("--topic", default="floorboard.events", help="Kafka topic")
    p.add_argument(
        "--batch",
        type=positive_int,
        default=1,
        help="Kafka: up to N events per record (a JSON array of one key's events)",
    )


def duration_ms(text: str) -> int:
    match = _DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"duration like 30m, 8h or 2d, not {text!r}")
    return round(float(match.group(1)) * _UNIT_MS[match.group(2)])


def whole(text: str, low: int, high: int | None = None) -> int:
    """A whole number from ``low`` to ``high`` (no limit when None)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, not {text!r}") from None
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and at most {high}"
        raise argparse.ArgumentTypeError(f"must be at least {low}{upper}, not {value}")
    return value


def positive_int(text: str) -> int:
    return whole(text, 1)


def minutes(text: str) -> float:
    """A finite number ≥ 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number, not {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"a number of at least 0, not {text!r}")
    return value


def positive_float(text: str) -> float:
    value = minutes(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"a positive number, not {text!r}")
    return value


def speed(text: str) -> float | None:
    """A speed factor, or None for ``max``."""
    return None if text == "max" else positive_float(text)


def start_ms(text: str | None, zone: dt.tzinfo) -> int:
    """``--start`` as epoch ms: local time in ``zone`` unless the text carries an offset."""
    if text is None:
        return int(time.time() * 1000)
    try:
        local = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--start wants 2026-11-23T08:00, not {text!r}") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return int(local.timestamp() * 1000)


def deliver(
    recs: Iterable[Record],
    args: argparse.Namespace,
    start: int,
    settings: RuntimeSettings,
    total_ms: int | None = None,
) -> int:
    """To a file, or with ``--bootstrap`` to Kafka over the connection settings (TLS, SASL).

    Raises DeliveryError with one line on an unusable target."""
    from aiokafka.errors import KafkaError

    label = f"{args.command} → {args.bootstrap or args.out or 'stdout'}"
    # aiokafka logs each failed connection attempt; the one line below says it for all of them
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    batches = with_progress(paced(recs, args.speed, start), label, start, total_ms)
    if args.out is not None and not args.out.parent.is_dir():
        raise DeliveryError(f"--out {args.out}: no such directory {args.out.parent}")
    try:
        if args.bootstrap:
            from floorboard.streams.kafka import KafkaConnection

            conn = KafkaConnection.from_settings(
                settings.model_copy(update={"broker": args.bootstrap})
            )
            return asyncio.run(to_kafka(batches, conn, args.topic, args.batch))
        return to_file(batches, args.out)
    except KafkaError as exc:
        raise DeliveryError(
            f"--bootstrap {args.bootstrap}: cannot reach the broker ({exc})"
        ) from None
    except (OSError, ValueError) as exc:
        target = f"--bootstrap {args.bootstrap}" if args.bootstrap else f"--out {args.out}"
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DeliveryError(f"{target}: {reason}") from None


class DeliveryError(Exception):
    """The output cannot be written or the broker not reached: one line for the user."""


def run_simulate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    scenario = SCENARIOS[args.scenario]
    if args.scale != 1:
        scenario = scenario.scaled(args.scale)
    if args.outage_minutes is not None:
        # Any scenario can lose its feed; feed_outage only says when by default.
        began = scenario.outage_start_min
        scenario = scenario.replace(
            outage_minutes=args.outage_minutes,
            outage_start_min=DEFAULT_OUTAGE_START_MIN if began is None else began,
        )
    zone = next(iter(config.sites.values())).zone
    try:
        start = start_ms(args.start, zone)
    except argparse.ArgumentTypeError as exc:
        print(f"floorboard simulate: {exc}", file=sys.stderr)
        return 2
    events = generate(config, scenario, start, args.duration, args.seed)
    if args.format == "queue_log":
        if args.out is None:
            print("floorboard simulate: --format queue_log needs --out FILE", file=sys.stderr)
            return 2
        feed = queue_log_records(events, next(iter(config.sites)))
    else:
        feed = records(events, scenario, start, args.seed)
    began_wall = time.perf_counter()
    try:
        count = deliver(feed, args, start, runtime_settings(config), args.duration)
    except DeliveryError as exc:
        print(f"floorboard simulate: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - began_wall
    rate = count / max(elapsed, 1e-9)
    print(f"simulate: {count} records in {elapsed:.2f} s ({rate:,.0f}/s)", file=sys.stderr)
    return 0


def run_replay(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"floorboard replay: no such file: {args.file}", file=sys.stderr)
        return 2
    recs = read_records(args.file)
    first = next(recs, None)
    if first is None:
        print("replay: 0 records", file=sys.stderr)
        return 0
    # Streamed: a recording of millions of events is never held in memory.
    try:
        count = deliver(itertools.chain([first], recs), args, first.send_ms, runtime_settings())
    except DeliveryError as exc:
        print(f"floorboard replay: {exc}", file=sys.stderr)
        return 1
    print(f"replay: {count} records", file=sys.stderr)
    return 0
