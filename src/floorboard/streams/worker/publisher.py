"""Snapshot records of one partition's engine, with tombstones for records that went away.

Key ``record_key(rec)`` (``<topic>/<partition>|queue|site|queue|channel`` …), value
``snapshot.encode(rec)``, on compacted topics: readers keep the latest record per key and merge
all sources by adding. A queue or team that drops out of an engine's state (evicted buckets) gets
a tombstone, so readers do not keep adding its last figures forever. Agent rosters go to the
agents topic, everything else to the snapshots topic that every screen may read. Queue-day
records (the drill-down's day, engine/day.py) go to the snapshots topic too, but at most every
``PUBLISH_EVERY_S``, with their own tombstones.
"""

from __future__ import annotations

from dataclasses import dataclass

from floorboard.engine.day import day_records
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import AgentRoster, Snapshot, encode, record_key
from floorboard.streams.worker.partition import PartitionState


@dataclass(frozen=True, slots=True)
class Publication:
    snapshots: list[Snapshot]
    # (topic, key, value) to send; a None value is a tombstone
    records: list[tuple[str, bytes, bytes | None]]


def snapshot_records(
    part: PartitionState, now_ms: int, snapshots_topic: str, agents_topic: str
) -> Publication:
    """This partition's records at ``now_ms`` (status record last), then tombstones."""
    snapshots = snapshot(part.engine, now_ms, part.source)
    out: list[tuple[str, bytes, bytes | None]] = [
        (
            agents_topic if isinstance(rec, AgentRoster) else snapshots_topic,
            record_key(rec).encode(),
            encode(rec),
        )
        for rec in snapshots
    ]
    keys = {(topic, key) for topic, key, _ in out}
    out.extend((topic, key, None) for topic, key in sorted(part.published_keys - keys))
    part.published_keys = keys
    return Publication(snapshots, out)


def day_publication(
    part: PartitionState, now_ms: int, topic: str, previous: set[bytes]
) -> tuple[list[tuple[str, bytes, bytes | None]], set[bytes]]:
    """This partition's queue-day records, tombstones for the queues that went (keys in
    ``previous``), and the keys now published."""
    out: list[tuple[str, bytes, bytes | None]] = [
        (topic, record_key(rec).encode(), encode(rec))
        for rec in day_records(part.engine, now_ms, part.source)
    ]
    keys = {key for _, key, _ in out}
    out.extend((topic, key, None) for key in sorted(previous - keys))
    return out, keys
