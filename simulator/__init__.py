"""Contact-centre simulation and replay: realistic traffic for the demo, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator

from floorboard.config import Config
from simulator.centre import Centre
from simulator.scenario import SCENARIOS, Scenario
from streams.events.model import Event

__all__ = ["SCENARIOS", "Scenario", "generate"]


def generate(
    config: Config, scenario: Scenario, start_ms: int, duration_ms: int, seed: int
) -> Iterator[Event]:
    """Canonical events of a simulated period, in time order. Deterministic for a seed."""
    return Centre(config, scenario, start_ms, seed).run(start_ms + duration_ms)
