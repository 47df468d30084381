"""Benchmark workloads from the simulator: realistic event mixes, encoded as a feed sends them."""

from __future__ import annotations

from pathlib import Path

from floorboard.config import Config, load_config
from simulator import SCENARIOS, Scenario, generate
from streams.events.codec import encode

REPO = Path(__file__).resolve().parent.parent
CONFIG_PATH = REPO / "deploy" / "floorboard.example.yaml"
RESULTS = REPO / "bench" / "results"
# Monday 2026-11-23 00:00 Europe/Oslo
DAY_START_MS = 1795388400000
DAY_MS = 24 * 3_600_000


def config() -> Config:
    return load_config(CONFIG_PATH)


def centre(agents: int = 1000) -> Scenario:
    """A normal day scaled to about ``agents`` agents (the example config has 39 at scale 1)."""
    scale = agents / 39
    return SCENARIOS["normal"].replace(agents_per_team=round(agents / 3), rate_factor=scale * 1.0)


def day_events(agents: int = 1000, seed: int = 1, limit: int | None = None) -> list[bytes]:
    """One simulated day's events, encoded, in time order (cut at ``limit`` if given)."""
    out: list[bytes] = []
    for event in generate(config(), centre(agents), DAY_START_MS, DAY_MS, seed):
        out.append(encode(event))
        if limit is not None and len(out) >= limit:
            break
    return out
