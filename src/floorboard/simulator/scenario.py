"""Named scenarios: arrival rates, staffing, handling, patience, surveys and feed faults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# Arrivals per hour at the intraday peak, per channel, for a queue that serves it.
PEAK_PER_HOUR = {"voice": 60.0, "chat": 30.0, "messaging": 12.0, "email": 20.0}


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    teams: tuple[str, ...] = ("red", "blue", "green")
    agents_per_team: int = 13
    # Skills: with three or more queues each team serves all but one of them (a different one
    # per team); this share of every team is skilled in every queue.
    generalist_share: float = 0.3
    # Arrivals: peak rate per queue × channel, shaped by the intraday profile; ``flat`` for tests.
    peak_per_hour: dict[str, float] = field(default_factory=lambda: dict(PEAK_PER_HOUR))
    rate_factor: float = 1.0
    flat_profile: bool = False
    lunch_surge: float = 1.0  # extra factor on arrivals 11:00-13:00
    # Handling (seconds); log-normal unless ``exponential_handle``.
    talk_mean_s: float = 240.0
    talk_sigma: float = 0.6
    exponential_handle: bool = False
    hold_probability: float = 0.25
    hold_mean_s: float = 45.0
    acw_mean_s: float = 35.0
    async_handle_mean_s: float = 420.0
    async_reserve: int = 2  # email and messaging wait while this few agents of a queue are idle
    transfer_probability: float = 0.04
    # Customers: mean patience before abandoning a synchronous queue; None waits forever.
    patience_mean_s: float | None = 240.0
    callback_share: float = 0.15  # of those whose patience runs out, ask for a callback instead
    # Agents: planned breaks and lunch, unplanned not-ready spells, no-shows. ``breaks`` False
    # means no not-ready time at all.
    breaks: bool = True
    not_ready_per_shift: float = 1.5
    no_show_share: float = 0.0
    shift_hours: float = 8.0
    # Surveys and QA.
    survey_probability: float = 0.3
    qa_probability: float = 0.05
    quality_spread: float = 0.5  # standard deviation of the per-agent quality factor
    bad_agents: int = 0
    # Feed faults, applied by the emitter.
    outage_start_min: float | None = None
    outage_minutes: float = 0.0
    dirty_share: float = 0.0

    def replace(self, **changes: Any) -> Scenario:
        return dataclasses.replace(self, **changes)

    def scaled(self, factor: float) -> Scenario:
        """The same centre ``factor`` times as big: agents and arrivals scale together, so
        service levels stay about the same (a little better: bigger pools are more efficient)."""
        return self.replace(
            agents_per_team=max(1, round(self.agents_per_team * factor)),
            rate_factor=self.rate_factor * factor,
        )


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("normal", "a normal weekday: morning ramp, lunch peak, afternoon tail"),
        Scenario(
            "lunch_peak",
            "lunch-time overload: arrivals surge while a third of the floor is at lunch",
            lunch_surge=2.2,
        ),
        Scenario(
            "no_shows",
            "a quarter of the agents never log in",
            no_show_share=0.25,
        ),
        Scenario(
            "survey_storm",
            "most contacts answer the survey, and one agent is consistently poor",
            survey_probability=0.9,
            bad_agents=1,
        ),
        Scenario(
            "feed_outage",
            "the ACD feed stops for a while, then delivers its backlog late",
            outage_start_min=60.0,
            outage_minutes=15.0,
        ),
        Scenario(
            "dirty_feed",
            "a share of records are malformed, duplicated, late or of unknown type",
            dirty_share=0.05,
        ),
    )
}
