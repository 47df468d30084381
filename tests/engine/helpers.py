"""Shared feeding and reading helpers for engine tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from floorboard.config import Config
from floorboard.engine.engine import Engine
from floorboard.engine.kpis import Figure
from floorboard.engine.pseudonyms import QUALITY, local_day, pseudonym
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import Snapshot
from floorboard.engine.tables import AGENT_CHUNKS, AGENT_MINUTES, AGENT_RECENT, AGENTS
from floorboard.engine.views import Views, figures, merge
from floorboard.events.model import Event

OSLO = ZoneInfo("Europe/Oslo")


def oslo(y: int, mo: int, d: int, h: int, mi: int = 0, fold: int = 0) -> int:
    """Epoch ms of an Oslo wall-clock time (``fold=1``: the second of a repeated hour)."""
    return int(dt.datetime(y, mo, d, h, mi, tzinfo=OSLO, fold=fold).timestamp() * 1000)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> int:
    return int(dt.datetime(y, mo, d, h, mi, tzinfo=dt.UTC).timestamp() * 1000)


def run(cfg: Config, events: Iterable[Event]) -> Engine:
    engine = Engine(cfg)
    for ev in events:
        engine.apply(ev)
    return engine


def feed(engine: Engine, events: Sequence[Event], start: int = 0) -> None:
    """Apply with explicit source offsets ``start``, ``start + 1``, ..., as a partition does."""
    for offset, ev in enumerate(events, start=start):
        engine.apply(ev, offset)


def views(engine: Engine, now: int) -> Views:
    return merge(snapshot(engine, now, "test"))


def quality_key(cfg: Config, site: str, agent: str, now: int) -> str:
    """The pseudonym an agent's quality sums carry at ``now`` under the configured key."""
    day = local_day(now, cfg.sites[site].zone)
    return pseudonym(cfg.privacy.agent_key, QUALITY, site, agent, day)


def records(engines: Iterable[Engine], now: int) -> list[Snapshot]:
    return [r for i, e in enumerate(engines) for r in snapshot(e, now, f"p{i}")]


def comparable(v: Views) -> object:
    """Everything a reader sees in merged views, with partition-order artefacts removed."""
    teams = {
        k: (t.windows, t.agent_time, sorted(t.agents, key=lambda a: a.agent), t.agent_quality,
            t.pulse, t.answered_queues)
        for k, t in v.teams.items()
    }  # fmt: skip
    return v.queues, teams, v.counters, v.watermarks


def queue_figures(
    engine: Engine,
    now: int,
    window: str = "today",
    key: tuple[str, str, str] = ("oslo", "billing", "voice"),
) -> dict[str, Figure]:
    v = views(engine, now)
    return figures(v.queues[key].windows.get(window), engine.config, engine.layout, key)


def team_figures(engine: Engine, now: int, team: str, window: str = "today") -> dict[str, Figure]:
    v = views(engine, now)
    return figures(v.teams[("oslo", team)].windows.get(window), engine.config, engine.layout)


def field(engine: Engine, vector: Sequence[int] | None, name: str) -> int:
    """One named scalar of a cell vector (0 for a missing vector)."""
    return 0 if vector is None else vector[engine.layout.index[name]]


def pending(engine: Engine, site: str, agent: str) -> list[list[Any]]:
    """The agent's pending transitions, in order (from its chunks)."""
    chunks = engine.state.tables[AGENT_CHUNKS]
    rec = engine.state.tables[AGENTS][(site, agent)]
    chunked = [tr for minute in rec[AGENT_MINUTES] for tr in chunks[(site, agent, minute)]]
    latest: list[list[Any]] = rec[AGENT_RECENT]
    return chunked + latest
