"""Snapshot records of one partition's engine, with tombstones for records that went away.

Key ``record_key(rec)`` (``<topic>/<partition>|queue|site|queue|channel`` …), value
``snapshot.encode(rec)``, on a compacted topic: readers keep the latest record per key and merge
all sources by adding. A queue or team that drops out of an engine's state (evicted buckets) gets
a tombstone, so readers do not keep adding its last figures forever.
"""

from __future__ import annotations

from dataclasses import dataclass

from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import Snapshot, encode, record_key
from floorboard.streams.worker.partition import PartitionState


@dataclass(frozen=True, slots=True)
class Publication:
    snapshots: list[Snapshot]
    records: list[tuple[bytes, bytes | None]]  # (key, value) to send; None is a tombstone


def snapshot_records(part: PartitionState, now_ms: int) -> Publication:
    """This partition's records at ``now_ms`` (status record last), then tombstones."""
    snapshots = snapshot(part.engine, now_ms, part.source)
    out: list[tuple[bytes, bytes | None]] = [
        (record_key(rec).encode(), encode(rec)) for rec in snapshots
    ]
    keys = {key for key, _ in out}
    out.extend((key, None) for key in sorted(part.published_keys - keys))
    part.published_keys = keys
    return Publication(snapshots, out)
