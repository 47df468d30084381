"""Business-hours arithmetic for response-time SLAs on email and messaging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import holidays

from floorboard.config import WEEKDAYS, BusinessHours, ResponseSla

_MAX_DAYS: Final = 400  # a response can't be more than a year behind; bounds the day walk


class BusinessCalendar:
    def __init__(self, hours: BusinessHours, zone: ZoneInfo) -> None:
        self._hours = hours
        self._zone = zone
        self._holidays = frozenset(hours.holidays)
        public = hours.public_holidays
        # The package's calendar fills in each year on first lookup, in its __contains__. Typed as
        # a Container: as a dict (its base), compiled code would test the dict itself and miss it.
        self._public: Container[dt.date] | None = (
            None
            if public is None
            else holidays.country_holidays(public.country, subdiv=public.subdivision)
        )

    def is_holiday(self, day: dt.date) -> bool:
        """An explicit holiday of the configuration or a public holiday of its country."""
        return day in self._holidays or (self._public is not None and day in self._public)

    @lru_cache(maxsize=4096)  # noqa: B019 - calendars live as long as the engine
    def _open_range(self, day: dt.date) -> tuple[int, int] | None:
        """Opening and closing instants (epoch ms) of a local date, or None when closed."""
        if self.is_holiday(day):
            return None
        span = self._hours.days.get(WEEKDAYS[day.weekday()])
        if span is None:
            return None
        opens = dt.datetime.combine(day, span[0], tzinfo=self._zone)
        closes = dt.datetime.combine(day, span[1], tzinfo=self._zone)
        return int(opens.timestamp() * 1000), int(closes.timestamp() * 1000)

    def _local_date(self, ts_ms: int) -> dt.date:
        return dt.datetime.fromtimestamp(ts_ms / 1000, tz=self._zone).date()

    def is_open(self, ts_ms: int) -> bool:
        opened = self._open_range(self._local_date(ts_ms))
        return opened is not None and opened[0] <= ts_ms < opened[1]

    def business_ms(self, start_ms: int, end_ms: int) -> int:
        """Open business time between two instants."""
        if end_ms <= start_ms:
            return 0
        total = 0
        day = self._local_date(start_ms)
        last = self._local_date(end_ms)
        for _ in range(_MAX_DAYS):
            opened = self._open_range(day)
            if opened is not None:
                lo, hi = max(opened[0], start_ms), min(opened[1], end_ms)
                if hi > lo:
                    total += hi - lo
            if day >= last:
                break
            day += dt.timedelta(days=1)
        return total

    def close_of_business_day(self, ts_ms: int) -> int:
        """Deadline for "same business day": today's close, or the next business day's close."""
        day = self._local_date(ts_ms)
        for _ in range(_MAX_DAYS):
            opened = self._open_range(day)
            if opened is not None and ts_ms < opened[1]:
                return opened[1]
            day += dt.timedelta(days=1)
        return ts_ms

    def within_sla(self, sla: ResponseSla, received_ms: int, responded_ms: int) -> bool:
        if sla.kind == "same_business_day":
            return responded_ms <= self.close_of_business_day(received_ms)
        assert sla.seconds is not None  # guaranteed by ResponseSla validation
        if sla.kind == "elapsed_seconds":
            return responded_ms - received_ms <= sla.seconds * 1000
        return self.business_ms(received_ms, responded_ms) <= sla.seconds * 1000
