"""Contact-centre simulation and replay: realistic traffic for the demo, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator

from floorboard.config import Config
from floorboard.events.model import Event
from floorboard.simulator.centre import Centre
from floorboard.simulator.scenario import SCENARIOS, Scenario

__all__ = ["SCENARIOS", "Scenario", "generate"]


def generate(
    config: Config, scenario: Scenario | str, start_ms: int, duration_ms: int, seed: int
) -> Iterator[Event]:
    """Canonical events of a simulated period, in time order; deterministic for a seed.

    ``scenario`` is a :class:`Scenario` or the name of one in :data:`SCENARIOS`. Events due
    after ``start_ms + duration_ms`` (late survey responses, say) are not produced.
    """
    if isinstance(scenario, str):
        scenario = SCENARIOS[scenario]
    return Centre(config, scenario, start_ms, seed).run(start_ms + duration_ms)
