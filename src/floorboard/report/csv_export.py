"""``floorboard report --csv``: the day's interval table and the day's abandoned contacts, the
drill-down of a queue as CSV (docs/report.md). No customer or agent identifiers.

Both come from the queue-day records a worker publishes (engine/day.py), merged and read by the
same functions as the wallboard's drill-down, so the CSV and the board agree."""

from __future__ import annotations

import csv
import datetime as dt
from typing import TextIO

from floorboard.engine.day import QueueDayView, interval_rows, merge_days
from floorboard.engine.day import day_records as engine_day_records
from floorboard.report.build import Report

INTERVAL_FIGURES = ("offered", "answered", "abandoned", "service_level", "abandon_rate", "asa_s",
                    "aht_s", "csat_mean", "nps", "fcr_rate")  # fmt: skip


def _days(report: Report) -> list[QueueDayView]:
    records = engine_day_records(report.engine, report.at, "report")
    merged = merge_days(records, report.engine.config.engine.abandoned_list_max)
    return [merged[key] for key in sorted(merged)]


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
    for day in _days(report):
        for row in interval_rows(day, engine.config, engine.layout):
            figs = row.figures
            writer.writerow([day.site, day.queue, day.channel, _local(report, day.site, row.start),
                             _local(report, day.site, row.end),
                             *(_cell(figs[name].value) for name in INTERVAL_FIGURES),
                             figs["service_level"].variant or ""])  # fmt: skip


def write_abandoned(report: Report, out: TextIO, err: TextIO) -> None:
    """The contacts abandoned on the read time's local day: queue, when and after how long; the
    most recent ``engine.abandoned_list_max`` per queue, and on ``err`` how many were left out."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["site", "queue", "channel", "abandoned_at", "waited_s"])
    for day in _days(report):
        for ts, wait_ms in day.abandoned:
            writer.writerow([day.site, day.queue, day.channel, _local(report, day.site, ts),
                             f"{wait_ms / 1000:g}"])  # fmt: skip
        if day.left_out:
            print(f"{day.site}/{day.queue}/{day.channel}: {day.left_out} earlier abandoned "
                  f"contacts not listed (engine.abandoned_list_max="
                  f"{report.engine.config.engine.abandoned_list_max})", file=err)  # fmt: skip
