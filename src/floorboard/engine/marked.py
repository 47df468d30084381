"""A bucket table's rows, found and marked changed with one lookup.

Every write to a bucket marks its key changed (a set insertion) and finds its vector (a dict
lookup), each hashing the key tuple. The rows marked since the last ``forget`` are kept by key, so
the next write to the same bucket takes one lookup. The engine calls ``forget`` when a checkpoint
takes the changed keys, a restore replaces the rows, or housekeeping deletes some.
"""

from __future__ import annotations

from collections.abc import Callable

from floorboard.engine.expiry import ExpiryIndex
from floorboard.engine.state import Key, KeyedState


class MarkedRows:
    def __init__(
        self, state: KeyedState, expiry: ExpiryIndex, table: str, make: Callable[[], list[int]]
    ) -> None:
        self._table = table
        self._rows: dict[Key, list[int]] = state.tables[table]
        self._dirty = state.dirty[table]
        self._expiry = expiry
        self._make = make  # a new, empty row
        self._marked: dict[Key, list[int]] = {}

    def row(self, key: Key) -> list[int]:
        """The row of ``key``, created when missing, and marked changed."""
        row = self._marked.get(key)
        if row is None:
            self._dirty.add(key)
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = self._make()
                self._expiry.add(self._table, key)
            self._marked[key] = row
        return row

    def forget(self) -> None:
        """Mark rows changed again from here."""
        self._marked.clear()
