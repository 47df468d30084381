"""Running the simulator through the real KPI engine."""

from __future__ import annotations

from pathlib import Path

from floorboard.config import Config, load_config, parse_config
from simulator import generate
from simulator.scenario import Scenario
from streams.engine.engine import Engine
from streams.engine.kpis import Figure
from streams.engine.layout import add_into
from streams.engine.read import snapshot
from streams.engine.views import figures, merge

REPO = Path(__file__).resolve().parents[2]
# Monday 2026-11-23 07:00 Europe/Oslo
MONDAY_7 = 1795413600000
HOUR = 3_600_000


def example() -> Config:
    return load_config(REPO / "deploy" / "floorboard.example.yaml")


def one_voice_queue(variant: str = "answered_of_answered") -> Config:
    return parse_config(
        {
            "sites": {"x": {"timezone": "UTC", "queues": {"q": {"channels": ["voice"]}}}},
            "channels": {"voice": {"sl_threshold_s": 20, "sl_variant": variant}},
        }
    )


def pooled(
    cfg: Config, scenario: Scenario, start: int, hours: float, seeds: range
) -> dict[str, Figure]:
    """Site figures for "today", pooled over independent runs by adding their vectors."""
    total: list[int] | None = None
    for seed in seeds:
        engine = Engine(cfg)
        for event in generate(cfg, scenario, start, round(hours * HOUR), seed):
            engine.apply(event)
        views = merge(snapshot(engine, start + round(hours * HOUR), "sim"))
        site = next(iter(cfg.sites))
        vector = views.site_windows(site)["today"]
        if total is None:
            total = list(vector)
        else:
            add_into(total, vector)
    assert total is not None
    return figures(total, cfg, Engine(cfg).layout)
