"""Comparing merged snapshot records with a reference engine fed the same events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from floorboard.config import Config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import Snapshot
from floorboard.engine.views import merge
from floorboard.events.model import Event


def reference(config: Config, events: Iterable[Event], at: int) -> list[Snapshot]:
    """One engine over all events in production order: what the pipeline must reproduce."""
    engine = Engine(config)
    for offset, ev in enumerate(events):
        engine.apply(ev, offset)
    return snapshot(engine, at, "reference")


def comparable(records: Iterable[Snapshot]) -> dict[str, Any]:
    """Merged views without per-source fields."""
    views = merge(records)
    return {
        "queues": {
            key: (q.windows, q.waiting, q.oldest_wait_ts, q.backlog, q.oldest_open_ts)
            for key, q in sorted(views.queues.items())
        },
        "teams": {
            key: (
                t.windows,
                t.agent_time,
                sorted(t.agents, key=lambda a: a.agent),
                t.agent_quality,
                t.pulse,
            )
            for key, t in sorted(views.teams.items())
        },
        "counters": views.counters,
        "watermarks": views.watermarks,
    }


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """Readable list of what differs (empty when equal)."""
    out: list[str] = []
    for section in want:
        a, b = got.get(section), want[section]
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                if a.get(key) != b.get(key):
                    out.append(
                        f"{section}[{key}]: got {a.get(key)!r:.300} want {b.get(key)!r:.300}"
                    )
        else:
            out.append(f"{section}: got {a!r:.300} want {b!r:.300}")
    return out
