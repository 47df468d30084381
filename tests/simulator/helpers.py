"""Running the simulator in tests, and queue figures counted straight from its events.

The figures here deliberately do not use the KPI engine: the simulator's realism is judged on
its own output (``wait_s`` of contact.answered and friends). The engine's reading of the same
events is checked separately (tests/simulator/test_cli.py, through ``floorboard report``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from floorboard.config import (
    EXAMPLE_CONFIG,
    WEEKDAYS,
    Config,
    SiteSettings,
    load_config,
    parse_config,
)
from floorboard.events import model as m
from floorboard.simulator import SCENARIOS, generate
from floorboard.simulator.scenario import Scenario

# Monday 2026-11-23 07:00 Europe/Oslo
MONDAY_7 = 1795413600000
HOUR = 3_600_000


@functools.cache
def example() -> Config:
    return load_config(EXAMPLE_CONFIG)


def day(
    scenario: str | Scenario = "normal", seed: int = 3, hours: float = 10, start: int = MONDAY_7
) -> tuple[m.Event, ...]:
    """A simulated stretch on the example config; named scenarios are cached (tests only read)."""
    if isinstance(scenario, str):
        return _named_day(scenario, seed, hours, start)
    return tuple(generate(example(), scenario, start, round(hours * HOUR), seed))


@functools.cache
def _named_day(name: str, seed: int, hours: float, start: int) -> tuple[m.Event, ...]:
    return tuple(generate(example(), SCENARIOS[name], start, round(hours * HOUR), seed))


def one_voice_queue() -> Config:
    return parse_config({"sites": {"x": {"timezone": "UTC", "queues": {"q": {}}}}})


@dataclass(slots=True)
class Tally:
    """Counts of one channel's contact legs whose events fall inside a time window."""

    threshold_s: float
    offered: int = 0
    answered: int = 0
    answered_within: int = 0  # answered with wait_s ≤ threshold_s
    abandoned: int = 0  # contact.abandoned only (a callback request is not counted)
    wait_s: float = 0.0  # total wait of the answered

    def add(self, other: Tally) -> None:
        self.offered += other.offered
        self.answered += other.answered
        self.answered_within += other.answered_within
        self.abandoned += other.abandoned
        self.wait_s += other.wait_s

    @property
    def service_level(self) -> float:
        """Answered within the threshold ÷ answered (the variant Erlang C forecasts)."""
        return self.answered_within / self.answered

    @property
    def service_level_of_offered(self) -> float:
        return self.answered_within / self.offered

    @property
    def asa_s(self) -> float:
        return self.wait_s / self.answered

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.offered


def tally(
    events: Iterable[m.Event],
    channel: str = "voice",
    threshold_s: float = 20,
    since: int = 0,
    until: int | None = None,
) -> Tally:
    """Each event is counted in the window its own time falls in, as an ACD interval report."""
    out = Tally(threshold_s)
    for e in events:
        if not isinstance(e, m.ContactBase) or e.channel != channel or e.ts < since:
            continue
        if until is not None and e.ts >= until:
            continue
        if isinstance(e, m.ContactOffered):
            out.offered += 1
        elif isinstance(e, m.ContactAnswered):
            out.answered += 1
            out.answered_within += e.wait_s <= threshold_s
            out.wait_s += e.wait_s
        elif isinstance(e, m.ContactAbandoned):
            out.abandoned += 1
    return out


def pooled(
    cfg: Config, scenario: Scenario, start: int, hours: float, seeds: range, warm_up_h: float = 0
) -> Tally:
    """Voice figures of independent runs added up; each run starts ``warm_up_h`` early, so the
    counted stretch begins with the queue already in its stationary state rather than empty."""
    total = Tally(20)
    begin, end = start - round(warm_up_h * HOUR), start + round(hours * HOUR)
    for seed in seeds:
        total.add(tally(generate(cfg, scenario, begin, end - begin, seed), since=start))
    return total


def in_business_hours(site: SiteSettings, ts: int) -> bool:
    """Straight from the config: the local weekday's [open, close) and not a holiday."""
    local = dt.datetime.fromtimestamp(ts / 1000, tz=site.zone)
    span = site.business_hours.days.get(WEEKDAYS[local.weekday()])
    if span is None or local.date() in site.business_hours.holidays:
        return False
    return span[0] <= local.time() < span[1]
