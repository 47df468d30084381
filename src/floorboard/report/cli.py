"""``floorboard report``: KPIs of a JSONL event file, as tables or as snapshot JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import msgspec

from floorboard.config import add_config, load_config
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.engine.kpis import Figure
from floorboard.engine.views import Views, figures, figures_by_window, merge
from floorboard.engine.windows import WINDOWS
from floorboard.report.build import Report, build_report

# Figures printed per row, production first and quality beside it, as on the wallboard.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("offered", "Offered"),
    ("answered", "Ans"),
    ("service_level", "SL"),
    ("abandon_rate", "Abn%"),
    ("asa_s", "ASA"),
    ("aht_s", "AHT"),
    ("response_sla_rate", "Resp%"),
    ("csat_mean", "CSAT"),
    ("nps", "NPS"),
    ("fcr_rate", "FCR"),
    ("qa_score", "QA"),
)
PERCENT = {"service_level", "abandon_rate", "response_sla_rate", "fcr_rate", "qa_score"}


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
    p.add_argument("--json", action="store_true", help="print snapshot records and figures as JSON")
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
    if not args.events.is_file():
        print(f"floorboard report: no such file: {args.events}", file=sys.stderr)
        return 2
    tune_for_engine()
    report = build_report(args.events, config, args.at)
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(as_json(report)) + b"\n")
    else:
        print_tables(report)
    for bad in report.bad_lines:
        print(f"line {bad.line}: {bad.reason}: {bad.message}", file=sys.stderr)
    return 0


def as_json(report: Report) -> dict[str, Any]:
    config, layout = report.engine.config, report.engine.layout
    views = merge(report.records)
    per_window = figures_by_window(views, config, layout)
    return {
        "at": report.at,
        "outcomes": dict(report.outcomes),
        "bad_lines": len(report.bad_lines),
        "records": report.records,
        "figures": per_window,
    }


def _cell(name: str, fig: Figure) -> str:
    if fig.value is None:
        return "–"
    if name in PERCENT:
        text = f"{100 * fig.value:.1f}%"
    elif name in ("offered", "answered"):
        text = str(int(fig.value))
    else:
        text = f"{fig.value:.1f}"
    return text + ("*" if fig.low_sample else "")


def print_tables(report: Report) -> None:
    config, layout = report.engine.config, report.engine.layout
    views: Views = merge(report.records)
    at = dt.datetime.fromtimestamp(report.at / 1000, tz=dt.UTC).isoformat()
    print(f"KPIs at {at} — outcomes: {dict(report.outcomes)}; bad lines: {len(report.bad_lines)}")
    print("* fewer survey responses than engine.min_responses (low sample)")
    header = f"{'':34}" + "".join(f"{label:>9}" for _, label in COLUMNS)
    for window in WINDOWS:
        print(f"\n== {window} ==\n{header}")
        rows: list[tuple[str, dict[str, Figure]]] = []
        for key, q in sorted(views.queues.items()):
            rows.append(
                (f"queue {'/'.join(key)}", figures(q.windows.get(window), config, layout, key))
            )
        for (site, team), t in sorted(views.teams.items()):
            rows.append((f"team {site}/{team}", figures(t.windows.get(window), config, layout)))
        for site in views.sites:
            rows.append(
                (f"site {site}", figures(views.site_windows(site).get(window), config, layout))
            )
        for label, figs in rows:
            print(f"{label[:34]:34}" + "".join(f"{_cell(n, figs[n]):>9}" for n, _ in COLUMNS))
