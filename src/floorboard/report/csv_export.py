"""``floorboard report --csv``: the day's interval table and the day's abandoned contacts, the
drill-down of a queue as CSV (docs/report.md). No customer or agent identifiers."""

from __future__ import annotations

import csv
import datetime as dt
from typing import TextIO

from floorboard.engine.read import day_intervals
from floorboard.engine.views import figures
from floorboard.engine.windows import MINUTE_MS, Window, window_span
from floorboard.report.build import Report

INTERVAL_MINUTES = 30
INTERVAL_FIGURES = ("offered", "answered", "abandoned", "service_level", "abandon_rate", "asa_s",
                    "aht_s", "csat_mean", "nps", "fcr_rate")  # fmt: skip


def _local(report: Report, site: str, ts: int) -> str:
    zone = report.engine.config.sites[site].zone
    return dt.datetime.fromtimestamp(ts / 1000, tz=zone).isoformat(timespec="seconds")


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def write_intervals(report: Report, out: TextIO) -> None:
    """One row per queue × half hour of the read time's local day, up to the one under way;
    each queue with its own SL variant and threshold (``sl_variant`` names it)."""
    engine = report.engine
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["site", "queue", "channel", "start", "end", *INTERVAL_FIGURES, "sl_variant"])
    step = INTERVAL_MINUTES * MINUTE_MS
    for key, by_start in sorted(day_intervals(engine, report.at, INTERVAL_MINUTES).items()):
        site = key[0]
        today = window_span(Window.TODAY, report.at, engine.config.sites[site].zone)
        for start in range(today.start, today.end, step):
            figs = figures(by_start.get(start), engine.config, engine.layout, key)
            values = [_cell(figs[name].value) for name in INTERVAL_FIGURES]
            writer.writerow([*key, _local(report, site, start), _local(report, site, start + step),
                             *values, figs["service_level"].variant or ""])  # fmt: skip


def write_abandoned(report: Report, out: TextIO) -> None:
    """Each contact abandoned on the read time's local day: queue, when and after how long."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["site", "queue", "channel", "abandoned_at", "waited_s"])
    sites = report.engine.config.sites
    for a in sorted(report.abandons, key=lambda a: (a.site, a.queue, a.channel, a.ts)):
        today = window_span(Window.TODAY, report.at, sites[a.site].zone)
        if today.start <= a.ts <= report.at:
            writer.writerow([a.site, a.queue, a.channel, _local(report, a.site, a.ts),
                             f"{a.wait_s:g}"])  # fmt: skip
