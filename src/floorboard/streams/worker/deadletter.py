"""Dead-letter records: an event the worker could not count, with why and where it came from.

The record value is the original bytes: the whole source record when it held one event, or the
single element when one element of a batch array failed (the codec re-serializes that element,
so its bytes are equivalent JSON rather than a byte-for-byte slice). A record rejected as a whole
for its size or depth keeps only its first bytes (codec.EXCERPT_BYTES): the source topic,
partition and offset point at the whole of it. The record key is the source record's key.
Everything else travels in headers, so a fixed event can be re-published as is::

    floorboard.reason      malformed_json | not_an_object | unknown_type | unsupported_version |
                           invalid | out_of_range | too_large | too_deep | too_late |
                           from_future | unknown_site | unknown_queue | too_many_teams
    floorboard.message     human-readable rule that failed, naming event and field
    floorboard.topic       source topic
    floorboard.partition   source partition (decimal)
    floorboard.offset      source record offset (decimal)
    floorboard.batch       "1" when the source record was a JSON array
    floorboard.event_id    the event's id, when it could be read
    floorboard.event_type  the event's type, when it could be read
    floorboard.count       events the letter stands for (decimal): more than 1 only for a batch
                           record rejected as a whole
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from floorboard.events.codec import REJECT_REASONS

# The codec's and the engine's rejections, plus events for a site or queue the config does not
# know and for a team beyond limits.max_teams_per_site.
DEAD_LETTER_REASONS: tuple[str, ...] = (
    *REJECT_REASONS,
    "unknown_site",
    "unknown_queue",
    "too_many_teams",
)
_PREFIX = "floorboard."

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    reason: str
    message: str
    raw: bytes
    topic: str
    partition: int
    offset: int
    key: bytes | None = None
    batch: bool = False
    event_id: str | None = None
    event_type: str | None = None
    count: int = 1

    def headers(self) -> Headers:
        out: Headers = [
            (_PREFIX + "reason", self.reason.encode()),
            (_PREFIX + "message", self.message.encode()),
            (_PREFIX + "topic", self.topic.encode()),
            (_PREFIX + "partition", str(self.partition).encode()),
            (_PREFIX + "offset", str(self.offset).encode()),
            (_PREFIX + "batch", b"1" if self.batch else b"0"),
            (_PREFIX + "count", str(self.count).encode()),
        ]
        if self.event_id is not None:
            out.append((_PREFIX + "event_id", self.event_id.encode()))
        if self.event_type is not None:
            out.append((_PREFIX + "event_type", self.event_type.encode()))
        return out

    @classmethod
    def from_record(
        cls, key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]
    ) -> DeadLetter:
        """Parse a dead-letter record back (for tools and tests)."""
        found = {
            name.removeprefix(_PREFIX): raw.decode()
            for name, raw in headers
            if name.startswith(_PREFIX)
        }
        return cls(
            reason=found["reason"],
            message=found["message"],
            raw=value or b"",
            topic=found["topic"],
            partition=int(found["partition"]),
            offset=int(found["offset"]),
            key=key,
            batch=found.get("batch") == "1",
            event_id=found.get("event_id"),
            event_type=found.get("event_type"),
            count=int(found.get("count", "1")),
        )
