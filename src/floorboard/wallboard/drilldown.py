"""A queue's day in the drill-down: its half-hour table and its abandoned contacts, as lines.

The figures come from ``engine.day.interval_rows``, the code ``report --csv`` writes with, so the
board and the CSV agree. Only counts, ratios, times and waits: nobody is named.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from floorboard.config import Config
from floorboard.engine.day import PUBLISH_EVERY_S, QueueDayView, interval_rows
from floorboard.engine.layout import Layout
from floorboard.events.model import ASYNC_CHANNELS
from floorboard.wallboard.formatting import clock, pct, survey_cell

WIDTHS = (12, 8, 9, 10, 9, 7, 7, 9, 9, 9)


def _row(*cells: str) -> str:
    first, *rest = cells
    return f"{first:<{WIDTHS[0]}}" + "".join(
        f"{cell:>{width}}" for cell, width in zip(rest, WIDTHS[1:], strict=True)
    )


def _local(ts: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts / 1000, tz=zone)


def day_lines(day: QueueDayView | None, config: Config, layout: Layout) -> list[str]:
    """The half hours from local midnight (the empty ones before the first activity as one line),
    then the abandoned contacts, most recent first. On a DST day every half hour carries its UTC
    offset, so the repeated hour reads twice apart."""
    if day is None:
        return [f"Today's half hours: not received yet (sent every {PUBLISH_EVERY_S:g} s)"]
    zone = config.sites[day.site].zone
    rows = interval_rows(day, config, layout)
    dst_day = len({_local(r.start, zone).utcoffset() for r in rows}) > 1
    written = day.channel in ASYNC_CHANNELS
    lines = [
        "Today's half hours",
        _row("start", "offered", "answered", "abandoned", "1st resp" if written else "SL", "ASA",
             "AHT", "CSAT", "NPS", "FCR"),
    ]  # fmt: skip
    # The night before the first activity is one line, not a screenful of zeros (the CSV keeps
    # every half hour).
    quiet = next((i for i, r in enumerate(rows) if any(day.intervals.get(r.start, ()))), len(rows))
    if quiet > 1:
        span = f"{_local(rows[0].start, zone):%H:%M}–{_local(rows[quiet - 1].end, zone):%H:%M}"
        lines.append(f"{span:<{WIDTHS[0]}}no activity")
        rows = rows[quiet:]
    for r in rows:
        f = r.figures
        start = _local(r.start, zone).strftime("%H:%M %z" if dst_day else "%H:%M")
        lines.append(
            _row(start, str(f["offered"].n), str(f["answered"].n), str(f["abandoned"].n),
                 pct(f["response_sla_rate" if written else "service_level"].value),
                 clock(f["asa_s"].value), clock(f["aht_s"].value),
                 survey_cell(f["csat_mean"], "{:.1f}"), survey_cell(f["nps"], "{:+.0f}"),
                 survey_cell(f["fcr_rate"], "{:.0%}"))
        )  # fmt: skip
    lines += ["", _abandoned_title(day), f"{'abandoned at':<14}{'waited':>8}"]
    for ts, wait_ms in reversed(day.abandoned):
        lines.append(f"{_local(ts, zone).strftime('%H:%M:%S'):<14}{clock(wait_ms / 1000):>8}")
    return lines


def _abandoned_title(day: QueueDayView) -> str:
    if not day.left_out:
        return f"Abandoned today: {day.abandoned_total}, most recent first"
    return (
        f"Abandoned today: {day.abandoned_total}, the {len(day.abandoned)} most recent listed "
        f"({day.left_out} earlier not listed)"
    )
