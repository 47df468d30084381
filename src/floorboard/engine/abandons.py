"""The day's abandoned contacts per queue, for the drill-down: the table ABANDONS.

Each (site, queue, channel, local midnight) keeps how many contacts were abandoned that local day
and the most recent ``engine.abandoned_list_max`` of them as ``[ts, wait_ms]``, sorted. Keeping
the greatest N under one total order gives the same list in any arrival order. No contact,
customer or agent id is kept: only when, and after how long a wait.
"""

from __future__ import annotations

from bisect import insort
from zoneinfo import ZoneInfo

from floorboard.engine.expiry import ExpiryIndex
from floorboard.engine.state import KeyedState
from floorboard.engine.tables import ABANDONS, ABANDONS_LIST, ABANDONS_TOTAL
from floorboard.engine.windows import local_midnight, next_local_midnight


class AbandonLog:
    def __init__(
        self, state: KeyedState, expiry: ExpiryIndex, zones: dict[str, ZoneInfo], keep: int
    ) -> None:
        self._rows = state.tables[ABANDONS]
        self._dirty = state.dirty[ABANDONS]
        self._expiry = expiry
        self._zones = zones
        self._keep = keep
        self._days: dict[str, tuple[int, int]] = {}  # site -> its last local day [start, end)

    def _day(self, site: str, ts: int) -> int:
        """Local midnight of ``ts``'s day; the timezone is consulted once a day per site."""
        day = self._days.get(site)
        if day is None or not day[0] <= ts < day[1]:
            zone = self._zones[site]
            day = self._days[site] = (local_midnight(ts, zone), next_local_midnight(ts, zone))
        return day[0]

    def record(self, site: str, queue: str, channel: str, ts: int, wait_ms: int) -> None:
        key = (site, queue, channel, self._day(site, ts))
        self._dirty.add(key)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = [0, []]  # fields as in tables.py
            self._expiry.add(ABANDONS, key)
        row[ABANDONS_TOTAL] += 1
        kept: list[list[int]] = row[ABANDONS_LIST]
        insort(kept, [ts, wait_ms])
        if len(kept) > self._keep:
            del kept[0]  # the oldest (or, on equal times, the shortest wait) goes
