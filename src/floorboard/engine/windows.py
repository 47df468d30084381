"""Event-time buckets and the windows read from them, in the site's IANA timezone.

Two tiers of UTC-aligned buckets hold state:

* minute buckets (60 s) serve the rolling 15/30/60-minute windows;
* quarter buckets (15 min) serve the 15/30-minute intervals and "today".

Every real UTC offset is a whole number of quarter hours, so local quarter hours, half hours and
midnights all fall on quarter-bucket boundaries, and sums of whole buckets are exact on 23- and
25-hour DST days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

# Final, as in tables.py: compiled code inlines them.
MINUTE_MS: Final = 60_000
QUARTER_MS: Final = 15 * MINUTE_MS
HOUR_MS: Final = 60 * MINUTE_MS
DAY_MS: Final = 24 * HOUR_MS


class Tier(StrEnum):
    MINUTE = "m"
    QUARTER = "q"


TIER_MS: Final[dict[Tier, int]] = {Tier.MINUTE: MINUTE_MS, Tier.QUARTER: QUARTER_MS}


class Window(StrEnum):
    ROLLING_15 = "rolling_15m"
    ROLLING_30 = "rolling_30m"
    ROLLING_60 = "rolling_60m"
    INTERVAL_15 = "interval_15m"
    PREVIOUS_15 = "previous_15m"
    INTERVAL_30 = "interval_30m"
    PREVIOUS_30 = "previous_30m"
    # The local half hour one calendar day earlier: "yesterday at this time", whole.
    YESTERDAY_30 = "yesterday_30m"
    TODAY = "today"


WINDOWS: Final[tuple[Window, ...]] = tuple(Window)


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of bucket starts ``[start, end)`` in one tier."""

    tier: Tier
    start: int
    end: int


def bucket_start(ts_ms: int, tier: Tier) -> int:
    size = TIER_MS[tier]
    return ts_ms - ts_ms % size


def bucket_ceil(ts_ms: int, tier: Tier) -> int:
    """Start of the first bucket that starts at or after ``ts_ms``."""
    size = TIER_MS[tier]
    return ts_ms + (-ts_ms) % size


def local_midnight(ts_ms: int, zone: ZoneInfo) -> int:
    """UTC epoch ms of the local midnight that starts the day containing ``ts_ms``."""
    local = dt.datetime.fromtimestamp(ts_ms / 1000, tz=zone)
    midnight = dt.datetime.combine(local.date(), dt.time(0), tzinfo=zone)
    return int(midnight.timestamp() * 1000)


def next_local_midnight(ts_ms: int, zone: ZoneInfo) -> int:
    local = dt.datetime.fromtimestamp(ts_ms / 1000, tz=zone)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return int(midnight.timestamp() * 1000)


def local_interval_start(ts_ms: int, zone: ZoneInfo, minutes: int) -> int:
    """Start of the local clock interval (:00/:15/:30/:45 or :00/:30) that contains ``ts_ms``.

    The floor is taken on the local wall clock of that instant, then mapped back through the
    same offset; DST transitions happen on whole hours, so no interval straddles one.
    """
    offset = dt.datetime.fromtimestamp(ts_ms / 1000, tz=zone).utcoffset()
    offset_ms = int(offset.total_seconds() * 1000) if offset is not None else 0
    local_ms = ts_ms + offset_ms
    size = minutes * MINUTE_MS
    return local_ms - local_ms % size - offset_ms


def window_span(window: Window, now_ms: int, zone: ZoneInfo) -> Span:
    """The buckets a window covers at ``now_ms``.

    Rolling windows cover the current minute and the W-1 before it, so their length is between
    W-1 and W minutes (1-minute resolution). Intervals and today end at the current bucket.
    """
    if window in (Window.ROLLING_15, Window.ROLLING_30, Window.ROLLING_60):
        width = {Window.ROLLING_15: 15, Window.ROLLING_30: 30, Window.ROLLING_60: 60}[window]
        end = bucket_start(now_ms, Tier.MINUTE) + MINUTE_MS
        return Span(Tier.MINUTE, end - width * MINUTE_MS, end)
    if window is Window.TODAY:
        end = bucket_start(now_ms, Tier.QUARTER) + QUARTER_MS
        return Span(Tier.QUARTER, local_midnight(now_ms, zone), end)
    if window is Window.YESTERDAY_30:
        # One calendar day back on the local wall clock: 24 h, or 23/25 h across a DST change.
        local = dt.datetime.fromtimestamp(now_ms / 1000, tz=zone)
        yesterday = int((local - dt.timedelta(days=1)).timestamp() * 1000)
        start = local_interval_start(yesterday, zone, 30)
        return Span(Tier.QUARTER, start, start + 30 * MINUTE_MS)
    minutes = 15 if window in (Window.INTERVAL_15, Window.PREVIOUS_15) else 30
    start = local_interval_start(now_ms, zone, minutes)
    if window in (Window.PREVIOUS_15, Window.PREVIOUS_30):
        return Span(Tier.QUARTER, start - minutes * MINUTE_MS, start)
    return Span(Tier.QUARTER, start, start + minutes * MINUTE_MS)


def retention_ms(tier: Tier, allowed_lateness_ms: int) -> int:
    """How far behind the watermark a tier keeps buckets: its longest window plus lateness."""
    if tier is Tier.MINUTE:
        return HOUR_MS + allowed_lateness_ms + MINUTE_MS
    # Yesterday's last interval is "previous" just after midnight, and "yesterday at this time"
    # starts up to 25 h 30 min back across a DST change: 26 h holds both.
    return 26 * HOUR_MS + allowed_lateness_ms + QUARTER_MS


def last_week_span(now_ms: int, zone: ZoneInfo) -> Span:
    """The whole local half hour seven calendar days earlier on the wall clock ("last Tuesday at
    this time"): 168 h back, or 167/169 h across a DST change. Not a ``Window``: it is read from
    the week table (week.py), not from the cell buckets every window sums."""
    local = dt.datetime.fromtimestamp(now_ms / 1000, tz=zone)
    week_ago = int((local - dt.timedelta(days=7)).timestamp() * 1000)
    start = local_interval_start(week_ago, zone, 30)
    return Span(Tier.QUARTER, start, start + 30 * MINUTE_MS)


# How far behind the watermark the week table keeps quarter buckets: a week, the DST hour, the
# half hour itself and the lateness (the lateness is added where it is known).
WEEK_KEPT_MS: Final = 7 * DAY_MS + HOUR_MS + 30 * MINUTE_MS + QUARTER_MS
