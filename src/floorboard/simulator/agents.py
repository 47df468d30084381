"""Agents: teams, skills and quality; shifts, breaks and not-ready spells; their agent.state events.

Routing (who takes which contact) is the centre's; this module decides when an agent is there to
take one, and tells the centre through ``available`` and ``unavailable``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from floorboard.events.model import AgentState, AgentStateName
from floorboard.simulator.clock import HOUR_MS, SiteClock
from floorboard.simulator.des import Simulation
from floorboard.simulator.distributions import Durations
from floorboard.simulator.scenario import Scenario

# (hours into the shift, minutes, reason): two short breaks and lunch in an 8-hour shift.
PLANNED_BREAKS: tuple[tuple[float, int, str], ...] = (
    (2.0, 15, "break"),
    (4.0, 30, "lunch"),
    (6.0, 15, "break"),
)
UNPLANNED_REASONS: tuple[str, ...] = ("coaching", "meeting", "personal", "training")
# Local shift starts, one per place on the roster in turn: front-loaded, as a planner staffs the
# morning ramp (arrivals reach 85 % of the peak by 09:00), while lunch at four hours into a shift
# thins the floor over the 11:30-13:00 peak.
SHIFT_STARTS_H: tuple[float, ...] = (7.0, 7.5, 8.0, 8.0, 8.5, 8.5, 9.5, 10.0)


@dataclass(eq=False, slots=True)
class Agent:
    id: str
    team: str
    skills: tuple[str, ...]  # queues the agent takes contacts from
    quality: float  # persistent: customers and evaluators notice it
    offset: int  # place on the roster, which staggers shift starts
    working: bool = False  # logged in
    busy: bool = False  # on a contact, including its wrap-up
    away: str | None = None  # reason of the current not-ready spell
    # Spells due while busy or already away: they start in turn, none is skipped.
    pending: deque[tuple[str, int]] = field(default_factory=deque)
    spell: int = 0  # bumped per spell, so the end of an earlier spell can tell it is stale


def staffed_hours(scenario: Scenario) -> tuple[float, float] | None:
    """Local hours from the first shift's start to the last shift's end; None: round the clock."""
    if scenario.shift_hours >= 24:
        return None
    return min(SHIFT_STARTS_H), min(24.0, max(SHIFT_STARTS_H) + scenario.shift_hours)


def team_skills(team_index: int, queues: list[str]) -> tuple[str, ...]:
    """With three or more queues a team serves all but one, a different one per team."""
    if len(queues) < 3:
        return tuple(queues)
    left_out = queues[team_index % len(queues)]
    return tuple(q for q in queues if q != left_out)


def roster(site: str, queues: list[str], scenario: Scenario, rng: random.Random) -> list[Agent]:
    agents: list[Agent] = []
    generalists = round(scenario.generalist_share * scenario.agents_per_team)
    for k, team in enumerate(scenario.teams):
        specialised = team_skills(k, queues)
        for i in range(scenario.agents_per_team):
            skills = tuple(queues) if i < generalists else specialised
            quality = rng.gauss(0.0, scenario.quality_spread)
            agents.append(Agent(f"{site}-{team}-{i:02d}", team, skills, quality, len(agents)))
    for agent in agents[: scenario.bad_agents]:
        agent.quality = -3.0  # customers notice: CSAT around 2.4 against 4.2
    return agents


class Workforce:
    """The agents of one site through their shifts."""

    def __init__(
        self,
        sim: Simulation,
        scenario: Scenario,
        durations: Durations,
        clock: SiteClock,
        site: str,
        agents: list[Agent],
        available: Callable[[Agent, int], None],
        unavailable: Callable[[Agent], None],
    ) -> None:
        self.sim = sim
        self.s = scenario
        self.durations = durations
        self.clock = clock
        self.site = site
        self.agents = agents
        self._available = available
        self._unavailable = unavailable

    def start(self, t0: int) -> None:
        if self.s.shift_hours >= 24:  # always there: the Erlang C set-up
            for agent in self.agents:
                self.sim.at(t0, functools.partial(self.log_in, agent))
            return
        today = self.clock.date(t0)
        self._plan_day(today - dt.timedelta(days=1), t0, no_shows=False)  # shifts still running
        self._plan_day(today, t0, no_shows=True)
        self._plan_tomorrow(today, t0)

    def _plan_tomorrow(self, today: dt.date, t0: int) -> None:
        # Planned a day at a time, at local midnight, so a run of any length has shifts.
        tomorrow = today + dt.timedelta(days=1)

        def plan(_: int) -> None:
            self._plan_day(tomorrow, t0, no_shows=True)
            self._plan_tomorrow(tomorrow, t0)

        self.sim.at(self.clock.midnight(tomorrow), plan)

    def _plan_day(self, day: dt.date, t0: int, *, no_shows: bool) -> None:
        rng = self.sim.rng
        absent: set[int] = set()
        if no_shows and self.s.no_show_share > 0:
            count = round(self.s.no_show_share * len(self.agents))
            absent = set(rng.sample(range(len(self.agents)), count))
        for agent in self.agents:
            if agent.offset not in absent:
                self._plan_shift(agent, day, t0)

    def _plan_shift(self, agent: Agent, day: dt.date, t0: int) -> None:
        start_h = SHIFT_STARTS_H[agent.offset % len(SHIFT_STARTS_H)]
        start = self.clock.at(day, start_h)
        end = start + round(self.s.shift_hours * HOUR_MS)
        if end <= t0:
            return
        at = self.sim.at
        at(max(start, t0), functools.partial(self.log_in, agent))
        at(end, functools.partial(self.log_out, agent))
        if not self.s.breaks:
            return
        spells = [(start + round(h * HOUR_MS), m * 60_000, why) for h, m, why in PLANNED_BREAKS]
        rng = self.sim.rng
        expected = self.s.not_ready_per_shift
        count = math.floor(expected) + (rng.random() < expected - math.floor(expected))
        for _ in range(count):
            when = start + round(rng.uniform(0.5, self.s.shift_hours - 0.5) * HOUR_MS)
            spells.append((when, self.durations.not_ready_ms(), rng.choice(UNPLANNED_REASONS)))
        for when, length_ms, reason in spells:
            if t0 < when < end:
                at(when, functools.partial(self.go_away, agent, reason=reason, length_ms=length_ms))

    # --- state changes ---

    def _state(
        self, agent: Agent, t: int, state: AgentStateName, reason: str | None = None
    ) -> None:
        self.sim.emit(
            AgentState(
                v=1, id=self.sim.new_id(), ts=t, site=self.site, agent=agent.id, team=agent.team,
                state=state, reason=reason, queues=agent.skills,
            )
        )  # fmt: skip

    def _ready(self, agent: Agent, t: int) -> None:
        self._state(agent, t, "ready")
        self._available(agent, t)

    def log_in(self, agent: Agent, t: int) -> None:
        if agent.working:
            return
        agent.working, agent.away = True, None
        agent.pending.clear()
        self._state(agent, t, "logged_in")
        self._ready(agent, t)

    def log_out(self, agent: Agent, t: int) -> None:
        if not agent.working:
            return
        agent.working = False
        agent.pending.clear()
        if not agent.busy:  # a busy agent logs out after wrap-up
            self._unavailable(agent)
            agent.away = None
            self._state(agent, t, "logged_out")

    def go_away(self, agent: Agent, t: int, *, reason: str, length_ms: int) -> None:
        if not agent.working:
            return
        if agent.busy or agent.away is not None:
            agent.pending.append((reason, length_ms))
            return
        self._unavailable(agent)
        self._spell(agent, t, reason, length_ms)

    def _spell(self, agent: Agent, t: int, reason: str, length_ms: int) -> None:
        agent.away = reason
        agent.spell += 1
        self._state(agent, t, "not_ready", reason)
        self.sim.at(t + length_ms, functools.partial(self._back, agent, agent.spell))

    def _back(self, agent: Agent, spell: int, t: int) -> None:
        if spell != agent.spell or agent.away is None:
            return
        agent.away = None
        if not agent.working or agent.busy:
            return
        if agent.pending:
            self._spell(agent, t, *agent.pending.popleft())
        else:
            self._ready(agent, t)

    def take(self, agent: Agent, t: int) -> None:
        """The centre gave the agent a contact (it has already left the idle lists)."""
        agent.busy = True
        self._state(agent, t, "busy")

    def wrap_up(self, agent: Agent, t: int) -> None:
        self._state(agent, t, "acw")

    def release(self, agent: Agent, t: int) -> None:
        """Wrap-up done: log out if the shift is over, start a pending break, or be ready."""
        agent.busy = False
        if not agent.working:
            agent.away = None
            self._state(agent, t, "logged_out")
        elif agent.pending:
            self._spell(agent, t, *agent.pending.popleft())
        else:
            self._ready(agent, t)
