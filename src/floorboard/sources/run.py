"""The loop every file adapter shares: read lines, map them, deliver, then save the position.

The state file (position and the mapper's memory) is written, atomically, only after the events
of the lines before that position are delivered; a restart therefore never skips a line, and the
lines it may read twice (after a crash between delivery and save) give the same event ids, which
the engine drops as duplicates.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from floorboard.events.model import Event
from floorboard.sources.outcome import Mapped
from floorboard.sources.output import DeadRecord, IngestCounts, Output
from floorboard.sources.tail import Position, Tail

POLL_S = 0.2


class LineMapper(Protocol):
    def map_raw(self, raw: bytes) -> Mapped: ...
    def advance(self, now: int) -> list[Event]: ...
    def finish(self) -> list[Event]: ...
    def state(self) -> dict[str, Any]: ...
    def restore(self, saved: dict[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class Saved:
    position: Position | None  # None for receivers: they read no file
    mapper: dict[str, Any]


def load_state(path: Path | None) -> Saved | None:
    if path is None or not path.exists():
        return None
    doc = orjson.loads(path.read_bytes())
    position = Position(int(doc["inode"]), int(doc["offset"])) if "inode" in doc else None
    return Saved(position, dict(doc["mapper"]))


def save_state(path: Path, position: Position | None, mapper: dict[str, Any]) -> None:
    doc: dict[str, Any] = {"mapper": mapper}
    if position is not None:
        doc |= {"inode": position.inode, "offset": position.offset}
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(orjson.dumps(doc))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


async def ingest_file(
    source: str,
    path: Path,
    mapper: LineMapper,
    output: Output,
    counts: IngestCounts,
    *,
    follow: bool = False,
    state_path: Path | None = None,
    stop: asyncio.Event | None = None,
    clock: Callable[[], float] = time.time,
) -> None:
    saved = load_state(state_path)
    if saved is not None:
        mapper.restore(saved.mapper)
    tail = Tail(path, saved.position if saved else None, follow)
    try:
        while stop is None or not stop.is_set():
            start = tail.position
            lines = tail.lines()
            if lines is None:
                await output.write(mapper.finish(), [])
                _save(state_path, tail.position, mapper)
                return
            if not lines:
                # Idle: wrap-ups whose time has passed end now, not with the next line.
                events = mapper.advance(int(clock() * 1000))
                if events:
                    await output.write(events, [])
                    _save(state_path, tail.position, mapper)
                await asyncio.sleep(POLL_S)
                continue
            events, dead = _map_lines(source, path, start, lines, mapper, counts)
            await output.write(events, dead)
            _save(state_path, tail.position, mapper)
    finally:
        tail.close()


def _map_lines(
    source: str,
    path: Path,
    start: Position,
    lines: list[bytes],
    mapper: LineMapper,
    counts: IngestCounts,
) -> tuple[list[Event], list[DeadRecord]]:
    events: list[Event] = []
    dead: list[DeadRecord] = []
    offset = start.offset
    tally: dict[tuple[str, str], int] = {}
    for raw in lines:
        result = mapper.map_raw(raw) if raw.strip() else Mapped("ignored", "blank")
        key = (result.outcome, result.reason)
        tally[key] = tally.get(key, 0) + 1
        events += result.events
        if result.outcome == "rejected":
            origin = f"{path}@{offset}"
            dead.append(DeadRecord(raw, result.reason, result.message, origin, offset))
        offset += len(raw) + 1
    for (outcome, reason), n in tally.items():
        counts.add(source, outcome, reason, n)
    return events, dead


def _save(path: Path | None, position: Position, mapper: LineMapper) -> None:
    if path is not None:
        save_state(path, position, mapper.state())
