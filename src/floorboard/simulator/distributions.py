"""The random durations of the simulation: handle, hold, wrap-up, patience and feedback delays."""

from __future__ import annotations

import math
import random

from floorboard.simulator.scenario import Scenario


def lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    """A log-normal draw with the given mean (not median)."""
    if mean <= 0:
        return 0.0
    mu = math.log(mean) - sigma * sigma / 2
    return rng.lognormvariate(mu, sigma)


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class Durations:
    """Draws for one scenario, in seconds unless the name says ms."""

    def __init__(self, rng: random.Random, scenario: Scenario) -> None:
        self.rng = rng
        self.s = scenario

    def talk_s(self) -> float:
        """Conversation time of a call or chat: log-normal, or exponential for Erlang C checks."""
        if self.s.exponential_handle:
            return self.rng.expovariate(1 / self.s.talk_mean_s) if self.s.talk_mean_s > 0 else 0.0
        return lognormal(self.rng, self.s.talk_mean_s, self.s.talk_sigma)

    def hold_s(self) -> float:
        if self.s.hold_probability <= 0 or self.rng.random() >= self.s.hold_probability:
            return 0.0
        return lognormal(self.rng, self.s.hold_mean_s, 0.5)

    def acw_s(self) -> float:
        if self.s.acw_mean_s <= 0:
            return 0.0
        return self.rng.expovariate(1 / self.s.acw_mean_s)

    def async_work_ms(self) -> int:
        """Time an agent spends reading and answering an email or message."""
        return max(1000, round(lognormal(self.rng, self.s.async_handle_mean_s, 0.5) * 1000))

    def patience_ms(self) -> int | None:
        """How long a caller or chatter waits before giving up; None: forever."""
        if self.s.patience_mean_s is None:
            return None
        return round(self.rng.expovariate(1 / self.s.patience_mean_s) * 1000)

    def survey_delay_ms(self) -> int:
        """Minutes to hours: log-normal with a median of about 25 minutes."""
        return round(lognormal(self.rng, 40 * 60, 1.0) * 1000)

    def qa_delay_ms(self) -> int:
        return round(self.rng.uniform(1, 4) * 3_600_000)

    def not_ready_ms(self) -> int:
        """An unplanned not-ready spell (coaching, a meeting, a personal moment)."""
        return round(clamp(lognormal(self.rng, 10 * 60, 0.6), 60, 3600) * 1000)
