"""Local time at a site: hour of day, midnights and opening hours in the site's IANA timezone."""

from __future__ import annotations

import datetime as dt

from floorboard.config import WEEKDAYS, SiteSettings

HOUR_MS = 3_600_000
_BLOCK_MS = 15 * 60_000  # real UTC offsets only change on quarter-hour boundaries


class SiteClock:
    def __init__(self, site: SiteSettings) -> None:
        self.zone = site.zone
        self._hours = site.business_hours
        self._holidays = frozenset(site.business_hours.holidays)
        self._offsets: dict[int, int] = {}

    def _offset_ms(self, ts: int) -> int:
        block = ts // _BLOCK_MS
        offset = self._offsets.get(block)
        if offset is None:
            utc = dt.datetime.fromtimestamp(block * _BLOCK_MS / 1000, tz=self.zone).utcoffset()
            offset = round(utc.total_seconds() * 1000) if utc is not None else 0
            self._offsets[block] = offset
        return offset

    def hour(self, ts: int) -> float:
        """Local hour of day as a fraction (13.5 is half past one)."""
        return (ts + self._offset_ms(ts)) % (24 * HOUR_MS) / HOUR_MS

    def date(self, ts: int) -> dt.date:
        return dt.datetime.fromtimestamp(ts / 1000, tz=self.zone).date()

    def at(self, day: dt.date, hours: float) -> int:
        """Epoch ms of local wall-clock time ``hours`` (0 to 24) on ``day``."""
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone)
        # Aware datetime + timedelta is wall-clock arithmetic: 07:00 stays 07:00 on the days
        # the clocks change, while adding milliseconds to midnight would land at 06:00 or 08:00.
        return round((midnight + dt.timedelta(hours=hours)).timestamp() * 1000)

    def midnight(self, day: dt.date) -> int:
        return self.at(day, 0.0)

    def opening(self, day: dt.date) -> tuple[int, int] | None:
        """Opening and closing instants of a local date (the config's business hours)."""
        span = self._hours.days.get(WEEKDAYS[day.weekday()])
        if span is None or day in self._holidays:
            return None
        opens = dt.datetime.combine(day, span[0], tzinfo=self.zone)
        closes = dt.datetime.combine(day, span[1], tzinfo=self.zone)
        return int(opens.timestamp() * 1000), int(closes.timestamp() * 1000)
