"""``floorboard report``: KPIs of a JSONL event file, as text tables or as a JSON document
(floorboard/report/document.py, docs/report.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import msgspec

from floorboard.config import add_config, load_config
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.report.build import build_report
from floorboard.report.csv_export import write_abandoned, write_intervals
from floorboard.report.document import document
from floorboard.report.text import render

# A file with a wrong clock can reject every line: the first ones say why, the counts say how many.
SHOWN_BAD_LINES = 20


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", type=Path, help="JSONL file, one event (or event array) per line")
    add_config(p)
    p.add_argument(
        "--at",
        type=parse_time,
        default=None,
        help="read time: RFC 3339 with offset or epoch ms; later events are left out "
        "(default: newest event time)",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "--json", action="store_true", help="print the report as JSON (schema in docs/report.md)"
    )
    out.add_argument(
        "--csv",
        choices=("intervals", "abandoned"),
        help="print CSV: the day's half-hour interval table per queue, or the day's abandoned "
        "contacts (when and after how long, no identifiers)",
    )
    p.set_defaults(func=run)


def parse_time(text: str) -> int:
    if text.isdigit():
        return int(text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not RFC 3339 or epoch ms: {text!r}") from None
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"time needs an offset, e.g. {text}+01:00")
    return int(parsed.timestamp() * 1000)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    problem = unreadable(args.events)
    if problem is not None:
        print(f"floorboard report: {args.events}: {problem}", file=sys.stderr)
        return 2
    tune_for_engine()
    report = build_report(args.events, config, args.at)
    source = str(args.events)
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(document(report, source)) + b"\n")
    elif args.csv == "intervals":
        write_intervals(report, sys.stdout)
    elif args.csv == "abandoned":
        write_abandoned(report, sys.stdout, sys.stderr)
    else:
        render(report, source)
    for bad in report.bad_lines[:SHOWN_BAD_LINES]:
        print(f"line {bad.line}: {bad.reason}: {bad.message}", file=sys.stderr)
    if len(report.bad_lines) > SHOWN_BAD_LINES:
        more = len(report.bad_lines) - SHOWN_BAD_LINES
        print(f"… and {more:,} more rejected lines (--json lists every one)", file=sys.stderr)
    return 0


def unreadable(path: Path) -> str | None:
    """Why the events file cannot be read, in a few words; None when it can."""
    if path.is_dir():
        return "is a directory, not an events file"
    try:
        with path.open("rb"):
            return None
    except FileNotFoundError:
        return "no such file"
    except PermissionError:
        return "cannot read: permission denied"
    except OSError as err:
        return f"cannot read: {err.strerror or err}"
