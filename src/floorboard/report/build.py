"""Offline KPI report: a JSONL file of canonical events through one engine, read at one instant.

It is the reference the streaming layer is tested against, and a way to check or backfill a day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from floorboard.config import Config
from floorboard.engine.engine import REFUSED, Engine
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import Snapshot
from floorboard.events.codec import DEFAULT_LIMITS, Limits, decode_record
from floorboard.events.model import Event

_SKIP_CHUNK = 65536


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str
    message: str
    count: int = 1  # events of a line rejected as a whole


@dataclass
class Report:
    engine: Engine
    at: int
    records: list[Snapshot]
    bad_lines: list[BadLine] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    # Every event read ends in exactly one of outcomes or rejected; lines holding ``[]`` are
    # counted apart, as they hold no event.
    rejected: Counter[str] = field(default_factory=Counter)
    empty_batches: int = 0


def read_events(
    path: Path, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[int, list[Event], list[BadLine]]]:
    """Yield (line number, events, rejections) per non-blank line.

    Lines end in LF, CRLF or CR alone; a UTF-8 byte order mark is skipped; bytes that are not
    UTF-8 reach the codec as they are (and are rejected there). A line longer than
    ``limits.max_record_bytes`` is skipped without being held in memory whole.
    """
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline=None) as text:
        for number, line in enumerate(_lines(text, limits.max_record_bytes), start=1):
            if line is None:
                message = f"line is over limits.max_record_bytes={limits.max_record_bytes}"
                yield number, [], [BadLine(number, "too_large", message)]
                continue
            raw = line.rstrip("\n").encode("utf-8", "surrogateescape")
            if not raw.strip():
                continue
            events, rejected = decode_record(raw, limits)
            yield number, events, [BadLine(number, r.reason, r.message, r.count) for r in rejected]


def _lines(text: TextIO, max_chars: int) -> Iterator[str | None]:
    """Lines of ``text``, None for one longer than ``max_chars`` (read past in chunks)."""
    while line := text.readline(max_chars + 1):
        if len(line) > max_chars and not line.endswith("\n"):
            while (rest := text.readline(_SKIP_CHUNK)) and not rest.endswith("\n"):
                pass
            yield None
        else:
            yield line


def build_report(path: Path, config: Config, at: int | None = None) -> Report:
    engine = Engine(config)
    report = Report(engine, 0, [])
    outcomes, rejected = report.outcomes, report.rejected
    for number, events, bad in read_events(path, config.limits.codec):
        for line in bad:
            engine.count_rejected(line.reason, line.count)
            rejected[line.reason] += line.count
        report.bad_lines.extend(bad)
        if not events and not bad:
            report.empty_batches += 1
        for event in events:
            if at is not None and event.ts > at:
                # The state as of ``at``: what a board would have shown then.
                outcomes["after_at"] += 1
                continue
            outcome = engine.apply(event)
            outcomes[outcome] += 1
            if outcome in REFUSED:
                message = f"event {event.id}: {outcome.replace('_', ' ')}"
                report.bad_lines.append(BadLine(number, outcome, message))
    report.at = at if at is not None else max(engine.watermarks.values(), default=0)
    report.records = snapshot(engine, report.at, str(path))
    return report
