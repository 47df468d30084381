"""Open queue entries counted per queue as they enter and leave the WAITING and BACKLOG tables,
so that a read visits queues, not open contacts.

Derived from those tables and never checkpointed: ``Engine.restore`` rebuilds it.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush
from typing import Any, Final

from floorboard.engine.tables import BACKLOG, ENTRY_CHANNEL, ENTRY_TS, WAITING
from floorboard.events.model import ASYNC_CHANNELS

# Below any event time: a queue read without a cut counts every entry.
NO_CUT: Final = -(2**63)
# Removed times kept in a heap before it is rebuilt without them (lazy deletion).
_DEAD_SLACK: Final = 64

QueueKey = tuple[str, str, str]  # (site, queue, channel)
Live = tuple[int, int | None, int, int | None]  # waiting, oldest wait ts, backlog, oldest open ts


class OpenTimes:
    """Entry times of one queue's open entries: how many are at or after a cut, and the oldest
    of those. Times before the cut are only kept aside, so a later read with an earlier cut
    can count them again.

    The heap keeps removed times (count 0) until they reach its top, and is rebuilt once they
    outnumber the open ones: adding and removing cost O(log n) amortised, a read O(1) plus the
    entries the cut passes.
    """

    __slots__ = ("_before", "_counts", "_cut", "_dead", "_heap", "size")

    def __init__(self) -> None:
        self._heap: list[int] = []
        self._counts: dict[int, int] = {}  # time at or after the cut -> entries; 0: removed
        self._dead = 0  # times in the heap whose count is 0
        self._before: dict[int, int] = {}  # time before the cut -> entries
        self._cut = NO_CUT
        self.size = 0  # entries at or after the cut

    def add(self, ts: int) -> None:
        if ts < self._cut:
            self._before[ts] = self._before.get(ts, 0) + 1
            return
        count = self._counts.get(ts)
        if count is None:
            heappush(self._heap, ts)
            count = 0
        elif count == 0:
            self._dead -= 1
        self._counts[ts] = count + 1
        self.size += 1

    def remove(self, ts: int) -> None:
        if ts < self._cut:
            left = self._before[ts] - 1
            if left:
                self._before[ts] = left
            else:
                del self._before[ts]
            return
        count = self._counts[ts] - 1
        self._counts[ts] = count
        self.size -= 1
        if count == 0:
            self._dead += 1
            self._settle()

    def read(self, cut: int = NO_CUT) -> tuple[int, int | None]:
        """Entries at or after ``cut`` and the oldest one's time (None when there is none)."""
        if cut < self._cut:  # an earlier read time: entries set aside may count again
            for ts in [t for t in self._before if t >= cut]:
                count = self._before.pop(ts)
                heappush(self._heap, ts)  # before the old cut, so not in the heap yet
                self._counts[ts] = count
                self.size += count
        elif cut > self._cut:
            heap, counts = self._heap, self._counts
            while heap and heap[0] < cut:
                ts = heappop(heap)
                count = counts.pop(ts)
                if count:
                    self._before[ts] = count
                    self.size -= count
                else:
                    self._dead -= 1
        self._cut = cut
        self._settle()
        return self.size, self._heap[0] if self._heap else None

    def _settle(self) -> None:
        """Keep an open time at the top of the heap, and the heap mostly open times."""
        heap, counts = self._heap, self._counts
        while heap and counts[heap[0]] == 0:
            del counts[heappop(heap)]
            self._dead -= 1
        if self._dead > _DEAD_SLACK and 2 * self._dead > len(heap):
            self._counts = {ts: n for ts, n in counts.items() if n}
            self._heap = list(self._counts)
            heapify(self._heap)
            self._dead = 0


class LiveQueues:
    """``OpenTimes`` per (table, site, queue, channel) of WAITING and BACKLOG.

    The engine calls ``add`` and ``remove`` with every row it writes into or deletes from those
    tables (key (site, contact_id, queue), entry [channel, ts]).
    """

    def __init__(self) -> None:
        self._queues: dict[tuple[str, str, str, str], OpenTimes] = {}

    def add(self, table: str, key: tuple[Any, ...], entry: list[Any]) -> None:
        index = (table, key[0], key[2], entry[ENTRY_CHANNEL])
        times = self._queues.get(index)
        if times is None:
            times = self._queues[index] = OpenTimes()
        times.add(entry[ENTRY_TS])

    def remove(self, table: str, key: tuple[Any, ...], entry: list[Any]) -> None:
        self._queues[(table, key[0], key[2], entry[ENTRY_CHANNEL])].remove(entry[ENTRY_TS])

    def rebuild(self, tables: dict[str, dict[tuple[Any, ...], Any]]) -> None:
        """Index the open entries of ``tables`` from scratch (after a restore)."""
        self._queues.clear()
        for table in (WAITING, BACKLOG):
            for key, entry in tables[table].items():
                self.add(table, key, entry)

    def read(self, sync_cut: int) -> dict[QueueKey, Live]:
        """Per queue with open entries: waiting, oldest waiting time, backlog, oldest open time.

        Entries of synchronous channels before ``sync_cut`` are not waiting (read.py).
        """
        out: dict[QueueKey, list[Any]] = {}
        for (table, site, queue, channel), times in self._queues.items():
            if table == WAITING:
                count, oldest = times.read(NO_CUT if channel in ASYNC_CHANNELS else sync_cut)
                slot = 0
            else:
                count, oldest = times.read()
                slot = 2
            if count:
                entry = out.setdefault((site, queue, channel), [0, None, 0, None])
                entry[slot] = count
                entry[slot + 1] = oldest
        return {key: (v[0], v[1], v[2], v[3]) for key, v in out.items()}
