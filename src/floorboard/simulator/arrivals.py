"""Arrivals: a time-varying Poisson process per queue × channel, drawn by thinning.

Candidates come at the top rate the stream can reach; each is kept with probability
rate(t) ÷ top, which yields exactly a Poisson process with rate(t).

Calls and chats only reach a queue while the floor is staffed: outside those hours a real
centre's IVR or web widget says it is closed, and nothing is queued. Email and messaging arrive
round the clock and wait in the backlog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from floorboard.events.model import ASYNC_CHANNELS, Channel
from floorboard.simulator.clock import HOUR_MS, SiteClock
from floorboard.simulator.des import Simulation
from floorboard.simulator.profile import PEAK_SHARE, intraday
from floorboard.simulator.scenario import Scenario

Offer = Callable[[str, Channel, int], None]  # (queue, channel, t)


class Arrivals:
    def __init__(
        self,
        sim: Simulation,
        scenario: Scenario,
        clock: SiteClock,
        offer: Offer,
        lines_open: tuple[float, float] | None,
    ) -> None:
        self.sim = sim
        self.s = scenario
        self.clock = clock
        self.offer = offer
        self.lines_open = lines_open  # local hours calls and chats are taken; None: always

    def peak_per_ms(self, channel: str) -> float:
        return self.s.peak_per_hour.get(channel, 0.0) * self.s.rate_factor / HOUR_MS

    def rate_per_ms(self, channel: str, ts: int) -> float:
        """Arrival rate of one queue × channel stream at ``ts``."""
        if self.s.flat_profile and self.lines_open is None:
            return self.peak_per_ms(channel)
        hour = self.clock.hour(ts)
        if self.lines_open is not None and channel not in ASYNC_CHANNELS:
            opens, closes = self.lines_open
            if not opens <= hour < closes:
                return 0.0
        if self.s.flat_profile:
            return self.peak_per_ms(channel)
        return self.peak_per_ms(channel) * intraday(hour, self.s.lunch_surge)

    def start(self, queue: str, channel: Channel, t0: int) -> None:
        top = self.peak_per_ms(channel)
        if not self.s.flat_profile:
            top *= PEAK_SHARE * max(1.0, self.s.lunch_surge)
        if top > 0:
            self._next(queue, channel, t0, top)

    def _reopening(self, ts: int) -> int | None:
        """When calls and chats are taken again, if the lines are closed at ``ts``."""
        assert self.lines_open is not None
        opens, closes = self.lines_open
        hour = self.clock.hour(ts)
        if opens <= hour < closes:
            return None
        day = self.clock.date(ts)
        if hour >= closes:
            day += dt.timedelta(days=1)
        return self.clock.at(day, opens)

    def _next(self, queue: str, channel: Channel, now: int, top: float) -> None:
        rng = self.sim.rng
        when = now + max(1, round(rng.expovariate(top)))
        if self.lines_open is not None and channel not in ASYNC_CHANNELS:
            # No candidates while closed: the rate is zero there, and the process is memoryless,
            # so drawing afresh from the reopening is exact (and skips the night's rejections).
            while (reopens := self._reopening(when)) is not None:
                when = reopens + max(1, round(rng.expovariate(top)))

        def candidate(t: int) -> None:
            if rng.random() * top <= self.rate_per_ms(channel, t):
                self.offer(queue, channel, t)
            self._next(queue, channel, t, top)

        self.sim.at(when, candidate)
