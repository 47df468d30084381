"""Shared reading helpers for engine tests."""

from __future__ import annotations

from collections.abc import Iterable

from floorboard.config import Config
from streams.engine.engine import Engine
from streams.engine.kpis import Figure
from streams.engine.read import snapshot
from streams.engine.views import Views, figures, merge
from streams.events.model import Event


def run(cfg: Config, events: Iterable[Event]) -> Engine:
    engine = Engine(cfg)
    for ev in events:
        engine.apply(ev)
    return engine


def views(engine: Engine, now: int) -> Views:
    return merge(snapshot(engine, now, "test"))


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
