"""The week table: quarter cells kept seven days for "last week at this time" (WEEK_QUARTERS).

A quarter cell leaves CELL_QUARTERS once it is past every window (26 h) and moves here whole,
final (it is past the lateness), until it is a week and an hour old. The windows never scan this
table: the one half hour last week is read by key, through the expiry index, so a snapshot read
costs the same as without it.
"""

from __future__ import annotations

from collections.abc import Iterable

from floorboard.engine.expiry import ExpiryIndex
from floorboard.engine.layout import Vector, add_at, add_into
from floorboard.engine.state import Key, KeyedState
from floorboard.engine.tables import CELL_QUARTERS, WEEK_QUARTERS
from floorboard.engine.windows import QUARTER_MS, Span

QueueKey = tuple[str, str, str]


class WeekCells:
    def __init__(self, state: KeyedState, expiry: ExpiryIndex) -> None:
        self._state = state
        self._expiry = expiry
        self._cells = state.tables[CELL_QUARTERS]
        self._rows = state.tables[WEEK_QUARTERS]

    def archive(self, keys: Iterable[Key]) -> None:
        """Move these quarter cells (popped from the expiry index) into the week table."""
        dirty = self._state.dirty[WEEK_QUARTERS]
        for key in keys:
            vector = self._cells.get(key)
            self._state.delete(CELL_QUARTERS, key)
            if vector is None or not any(vector):
                continue
            dirty.add(key)
            kept = self._rows.get(key)
            if kept is None:
                self._rows[key] = vector
                self._expiry.add(WEEK_QUARTERS, key)
            else:
                add_into(kept, vector)

    def evict(self, site: str, horizon: int) -> None:
        self._state.delete_all(WEEK_QUARTERS, self._expiry.pop_before(WEEK_QUARTERS, site, horizon))

    def queues(self, site: str, span: Span) -> dict[QueueKey, Vector]:
        """Each (site, queue, channel)'s vector over ``span``, summed over teams."""
        out: dict[QueueKey, Vector] = {}
        for start in range(span.start, span.end, QUARTER_MS):
            for key in self._expiry.keys_at(WEEK_QUARTERS, site, start):
                vector = self._rows.get(key)
                if vector is None or not key[1]:  # gone, or the unattributed cell (surveys)
                    continue
                add_at(out, (key[0], key[1], key[2]), vector)
        return out
