"""Replaying a recorded JSONL file: the same records, the same gaps between them (scaled)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from floorboard.events.codec import decode_record
from floorboard.events.model import partition_key
from floorboard.simulator.feed import Record

UNREADABLE_KEY = "unreadable"


def read_records(path: Path) -> Iterator[Record]:
    """Records of a JSONL file (an event or an array of events per line), timed by event ``ts``.

    Lines are replayed byte for byte, bad ones included: rejecting them is the pipeline's job.
    A line whose time cannot be read, or that is older than the one before (a late event), is
    sent at the time of the line before, so the replay never runs backwards; untimed lines at
    the start go with the first timed one.
    """
    last_ts: int | None = None
    leading: list[tuple[str, bytes]] = []
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            events, _ = decode_record(line)
            ts: int | None
            if events:
                key, ts = partition_key(events[0]), events[0].ts
            else:
                key, ts = UNREADABLE_KEY, _raw_ts(line)
            if ts is not None:
                last_ts = ts if last_ts is None else max(last_ts, ts)
            if last_ts is None:
                leading.append((key, line))
                continue
            for early_key, early_line in leading:
                yield Record(early_key, early_line, last_ts)
            leading.clear()
            yield Record(key, line, last_ts)
    for early_key, early_line in leading:  # nothing in the file had a time
        yield Record(early_key, early_line, 0)


def _raw_ts(line: bytes) -> int | None:
    """``ts`` of a line that is JSON but not a valid event, if it has an integer one."""
    try:
        body = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    ts = body.get("ts") if isinstance(body, dict) else None
    return ts if isinstance(ts, int) and not isinstance(ts, bool) else None
