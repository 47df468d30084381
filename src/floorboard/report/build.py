"""Offline KPI report: a JSONL file of canonical events through one engine, read at one instant.

It is the reference the streaming layer is tested against, and a way to check or backfill a day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from floorboard.config import Config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import Snapshot
from floorboard.events.codec import decode_record
from floorboard.events.model import ContactAbandoned, Event


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class Abandon:
    """An abandoned contact without who it was: where, when and after how long a wait."""

    site: str
    queue: str
    channel: str
    ts: int
    wait_s: float


@dataclass
class Report:
    engine: Engine
    at: int
    records: list[Snapshot]
    bad_lines: list[BadLine] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    abandons: list[Abandon] = field(default_factory=list)


def read_events(path: Path) -> Iterator[tuple[int, list[Event], list[BadLine]]]:
    """Yield (line number, events, rejections) per non-blank line."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            events, rejected = decode_record(raw.rstrip(b"\r\n"))
            yield number, events, [BadLine(number, r.reason, r.message) for r in rejected]


def build_report(path: Path, config: Config, at: int | None = None) -> Report:
    engine = Engine(config)
    bad: list[BadLine] = []
    outcomes: Counter[str] = Counter()
    abandons: list[Abandon] = []
    for number, events, rejected in read_events(path):
        for line in rejected:
            engine.count_rejected(line.reason)
        bad.extend(rejected)
        for event in events:
            if at is not None and event.ts > at:
                # The state as of ``at``: what a board would have shown then.
                outcomes["after_at"] += 1
                continue
            outcome = engine.apply(event)
            outcomes[outcome] += 1
            if outcome == "applied" and isinstance(event, ContactAbandoned):
                abandons.append(
                    Abandon(event.site, event.queue, event.channel, event.ts, event.wait_s)
                )
            if outcome in ("too_late", "unknown_site"):
                bad.append(
                    BadLine(number, outcome, f"event {event.id}: {outcome.replace('_', ' ')}")
                )
    read_at = at if at is not None else max(engine.watermarks.values(), default=0)
    records = snapshot(engine, read_at, str(path))
    return Report(engine, read_at, records, bad, outcomes, abandons)
