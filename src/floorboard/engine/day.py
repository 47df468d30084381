"""A queue's local day for the drill-down: its half-hour table and its abandoned contacts; and
the same half hour last week, for "compared with normal".

Workers publish ``day_records`` (apart from the per-second snapshot, at most every
``PUBLISH_EVERY_S``); the wallboard and ``report --csv`` both merge them with ``merge_days`` and
read them with ``interval_rows``, so the board and the CSV show the same figures from the same
code. Half hours run from local midnight, so a DST day has 46 or 50 of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from floorboard.config import Config
from floorboard.engine.engine import Engine
from floorboard.engine.kpis import Figure
from floorboard.engine.layout import Layout, Vector, add_at
from floorboard.engine.read import day_intervals, layout_id
from floorboard.engine.snapshot import QueueDay, Snapshot
from floorboard.engine.tables import ABANDONS, ABANDONS_LIST, ABANDONS_TOTAL
from floorboard.engine.views import figures
from floorboard.engine.windows import (
    MINUTE_MS,
    Window,
    last_week_span,
    local_midnight,
    window_span,
)

INTERVAL_MINUTES = 30
INTERVAL_MS = INTERVAL_MINUTES * MINUTE_MS
# The day's table changes by the half hour: a publication every few seconds is fresh enough and
# keeps its cost off the 1 s snapshot.
PUBLISH_EVERY_S = 10.0
# The name readers give the same half hour last week beside the windows of a queue's view.
LAST_WEEK = "last_week_30m"

QueueKey = tuple[str, str, str]


def day_records(engine: Engine, now: int, source: str) -> list[QueueDay]:
    """Each queue's record of the local day containing ``now``."""
    lid = layout_id(engine.layout)
    days = {site: local_midnight(now, cfg.zone) for site, cfg in engine.config.sites.items()}
    intervals = day_intervals(engine, now, INTERVAL_MINUTES)
    last_week: dict[QueueKey, Vector] = {}
    for site, cfg in engine.config.sites.items():
        last_week.update(engine.week.queues(site, last_week_span(now, cfg.zone)))
    abandons: dict[QueueKey, list[Any]] = {
        (site, queue, channel): row
        for (site, queue, channel, day), row in engine.state.tables[ABANDONS].items()
        if days.get(site) == day
    }
    out: list[QueueDay] = []
    for key in sorted(set(intervals) | set(abandons) | set(last_week)):
        site, queue, channel = key
        row = abandons.get(key)
        kept: list[list[int]] = row[ABANDONS_LIST] if row else []
        out.append(
            QueueDay(
                source=source,
                as_of=now,
                layout=lid,
                site=site,
                queue=queue,
                channel=channel,
                day_start=days[site],
                intervals={s: v for s, v in sorted(intervals.get(key, {}).items()) if any(v)},
                abandoned=[(ts, wait) for ts, wait in kept],
                abandoned_total=row[ABANDONS_TOTAL] if row else 0,
                last_week=last_week.get(key),
            )
        )
    return out


@dataclass
class QueueDayView:
    """One queue's day merged over every source."""

    site: str
    queue: str
    channel: str
    day_start: int
    as_of: int = 0
    intervals: dict[int, Vector] = field(default_factory=dict)
    abandoned: list[tuple[int, int]] = field(default_factory=list)  # (ts, wait_ms), oldest first
    abandoned_total: int = 0

    @property
    def left_out(self) -> int:
        """Abandoned contacts of the day that are counted but not listed."""
        return self.abandoned_total - len(self.abandoned)


def _latest_days(records: Iterable[Snapshot]) -> list[QueueDay]:
    """The queue-day records of each site's latest day: a source that has not published since
    midnight still holds yesterday's."""
    days = [rec for rec in records if isinstance(rec, QueueDay)]
    latest: dict[str, int] = {}
    for rec in days:
        latest[rec.site] = max(latest.get(rec.site, rec.day_start), rec.day_start)
    return [rec for rec in days if rec.day_start == latest[rec.site]]


def last_week_vectors(records: Iterable[Snapshot]) -> dict[QueueKey, Vector]:
    """Each queue's same half hour last week, summed over sources (``LAST_WEEK`` on a board)."""
    out: dict[QueueKey, Vector] = {}
    for rec in _latest_days(records):
        if rec.last_week is not None:
            add_at(out, (rec.site, rec.queue, rec.channel), rec.last_week)
    return out


def merge_days(records: Iterable[Snapshot], keep: int) -> dict[QueueKey, QueueDayView]:
    """Queue-day records of all sources, summed; of each site only its latest day. The merged
    list keeps the ``keep`` most recent abandons, as each source did."""
    out: dict[QueueKey, QueueDayView] = {}
    for rec in _latest_days(records):
        key = (rec.site, rec.queue, rec.channel)
        view = out.get(key)
        if view is None:
            view = out[key] = QueueDayView(rec.site, rec.queue, rec.channel, rec.day_start)
        view.as_of = max(view.as_of, rec.as_of)
        for start, vector in rec.intervals.items():
            add_at(view.intervals, start, vector)
        view.abandoned.extend(rec.abandoned)
        view.abandoned_total += rec.abandoned_total
    for view in out.values():
        view.abandoned = sorted(view.abandoned)[-keep:] if keep else []
    return out


@dataclass(frozen=True, slots=True)
class IntervalRow:
    start: int
    end: int
    figures: dict[str, Figure]


def interval_rows(day: QueueDayView, config: Config, layout: Layout) -> list[IntervalRow]:
    """Every half hour from the local midnight to the one under way at the day's ``as_of``,
    with all of the queue's figures (its own SL variant and threshold); empty half hours too."""
    today = window_span(Window.TODAY, day.as_of, config.sites[day.site].zone)
    key = (day.site, day.queue, day.channel)
    return [
        IntervalRow(start, start + INTERVAL_MS,
                    figures(day.intervals.get(start), config, layout, key))
        for start in range(day.day_start, today.end, INTERVAL_MS)
    ]  # fmt: skip
