"""Per-event offsets for the engine, derived from Kafka record offsets.

A record holds one event or a JSON array of them, so the engine cannot use the record offset
directly: the event at index ``i`` of the record at offset ``o`` gets ``o * STRIDE + i``. Offsets
grow strictly within a partition and are the same on every replay, which is what the engine's
redelivery guard and checkpoints rely on. Indices count the events that decoded, in record order
(decoding is deterministic, so that is stable too).
"""

from __future__ import annotations

# No record can hold this many events: 1 MB (Kafka's default record limit) fits ~15k minimal ones.
STRIDE = 1_000_000


def event_offset(record_offset: int, index: int) -> int:
    if not 0 <= index < STRIDE:
        raise ValueError(f"event index {index} outside 0..{STRIDE - 1}")
    return record_offset * STRIDE + index


def record_end(record_offset: int) -> int:
    """The engine offset that covers every event of the record (its checkpoint offset)."""
    return record_offset * STRIDE + STRIDE - 1


def resume_record(engine_offset: int) -> int:
    """The record to consume next after a state exact at ``engine_offset`` (-1: nothing yet)."""
    if engine_offset < 0:
        return 0
    return engine_offset // STRIDE + 1
