"""Which time-bucketed keys exist, by bucket time, so eviction touches only what expires."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator

from floorboard.engine.state import Key


class ExpiryIndex:
    """Keys of the tables in ``TIMED_TABLES`` (tables.py) by site and bucket time. A derived index
    (rebuilt on restore, never checkpointed)."""

    def __init__(self) -> None:
        self._times: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._keys: dict[tuple[str, str, int], list[Key]] = defaultdict(list)

    def add(self, table: str, key: Key) -> None:
        """Record a key just created; its first element is the site, its last the bucket time."""
        site, when = key[0], key[-1]
        bucket = self._keys[(table, site, when)]
        if not bucket:
            heapq.heappush(self._times[(table, site)], when)
        bucket.append(key)

    def pop_before(self, table: str, site: str, horizon: int) -> Iterator[Key]:
        times = self._times.get((table, site))
        while times and times[0] < horizon:
            yield from self._keys.pop((table, site, heapq.heappop(times)), [])

    def keys_at(self, table: str, site: str, when: int) -> list[Key]:
        """The keys of ``table`` whose bucket time is ``when`` (read by key, not by scan)."""
        return self._keys.get((table, site, when), [])
