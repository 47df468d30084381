"""Replaying a recorded JSONL file: the same records, the same gaps between them (scaled)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from simulator.feed import Record
from streams.events.codec import Rejected, decode_event
from streams.events.model import partition_key


def read_records(path: Path) -> Iterator[Record]:
    """Records of a JSONL file, timed by each event's ``ts``; unreadable lines keep the last time.

    Bad lines are replayed as they are: the pipeline is what should reject them.
    """
    last_ts = 0
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.rstrip(b"\r\n")
            if not line:
                continue
            event = decode_event(line)
            if isinstance(event, Rejected):
                key, ts = _fallback(line, last_ts)
            else:
                key, ts = partition_key(event), event.ts
            # A late event is sent in file order, not back in time.
            last_ts = max(last_ts, ts)
            yield Record(key, line, last_ts)


def _fallback(line: bytes, last_ts: int) -> tuple[str, int]:
    try:
        body = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "unreadable", last_ts
    ts = body.get("ts") if isinstance(body, dict) else None
    return "unreadable", ts if isinstance(ts, int) else last_ts
