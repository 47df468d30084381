"""The wallboard's view of the snapshot stream: latest record per source and entity, merged.

Pure: no Textual, no Kafka. Records older than ``max_age_ms`` (by arrival) are dropped, so a
partition that moved to another worker or an entity that went quiet stops counting.
"""

from __future__ import annotations

from collections.abc import Iterable

from floorboard.engine.day import (
    LAST_WEEK,
    PUBLISH_EVERY_S,
    QueueDayView,
    QueueKey,
    last_week_vectors,
    merge_days,
)
from floorboard.engine.snapshot import QueueDay, Snapshot, SourceStatus, record_key
from floorboard.engine.views import Views, merge

# Queue-day records come every PUBLISH_EVERY_S: kept through two missed publications.
DAY_MAX_AGE_MS = int(3 * PUBLISH_EVERY_S * 1000)


class LayoutMismatch(ValueError):
    """A record was built with other histogram bounds than this wallboard's configuration."""


class RecordStore:
    def __init__(self, layout_id: str, max_age_ms: int = 5000) -> None:
        self.layout_id = layout_id
        self.max_age_ms = max_age_ms
        self._records: dict[str, tuple[int, Snapshot]] = {}
        self.last_received_ms: int | None = None
        self.rejected_layout = 0

    def add(self, record: Snapshot, received_ms: int) -> None:
        if record.layout != self.layout_id:
            self.rejected_layout += 1
            return
        self._records[record_key(record)] = (received_ms, record)
        self.last_received_ms = received_ms

    def remove(self, key: str) -> None:
        """A tombstone: the worker says this entity has no figures any more."""
        self._records.pop(key, None)

    def add_all(self, records: Iterable[Snapshot], received_ms: int) -> None:
        for record in records:
            self.add(record, received_ms)

    def views(self, now_ms: int) -> Views:
        horizon = now_ms - self.max_age_ms
        day_horizon = now_ms - max(self.max_age_ms, DAY_MAX_AGE_MS)
        for key in [
            k
            for k, (at, rec) in self._records.items()
            if at < (day_horizon if isinstance(rec, QueueDay) else horizon)
        ]:
            del self._records[key]
        records = [record for _, record in self._records.values()]
        views = merge(records)
        # The same half hour last week comes with the queue-day records: a window of its own.
        for queue_key, vector in last_week_vectors(records).items():
            queue = views.queues.get(queue_key)
            if queue is not None:
                queue.windows[LAST_WEEK] = vector
        return views

    def counters(self) -> dict[str, int]:
        """The pipeline counters of ``views`` (the partitions' status records summed), without
        merging every figure: for a check many times a second."""
        statuses = [rec for _, rec in self._records.values() if isinstance(rec, SourceStatus)]
        return merge(statuses).counters

    def days(self, keep: int) -> dict[QueueKey, QueueDayView]:
        """The queues' days (the drill-down), as of the last ``views``."""
        return merge_days((record for _, record in self._records.values()), keep)

    def age_ms(self, now_ms: int) -> int | None:
        """How long ago the last record arrived; None before the first."""
        return None if self.last_received_ms is None else now_ms - self.last_received_ms
