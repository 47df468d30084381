"""What people say about the work: survey responses, QA evaluations and the daily team pulse.

Survey scores depend on the agent's persistent quality and on how long the customer waited
against what the channel promises, so some agents are consistently rated better than others.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from floorboard.events.model import PulseMetric, QaEvaluation, SurveyResponse, TeamPulse
from floorboard.simulator.agents import Agent
from floorboard.simulator.clock import SiteClock
from floorboard.simulator.des import Simulation
from floorboard.simulator.distributions import Durations, clamp
from floorboard.simulator.scenario import Scenario

SYNC = frozenset({"voice", "chat"})
QA_ITEMS = 20
PULSE_HOUR = 7.5  # local time the daily team figures are published


class Feedback:
    def __init__(
        self, sim: Simulation, scenario: Scenario, durations: Durations, site: str
    ) -> None:
        self.sim = sim
        self.s = scenario
        self.durations = durations
        self.site = site

    def after_contact(
        self, agent: Agent, contact_id: str, channel: str, transferred: bool, wait_s: float, t: int
    ) -> None:
        """Maybe a survey response and a QA evaluation, both arriving later."""
        rng = self.sim.rng
        if rng.random() < self.s.survey_probability:
            answers = self.answers(agent.quality, channel, transferred, wait_s)
            self.sim.at(
                t + self.durations.survey_delay_ms(),
                functools.partial(self._survey, contact_id, answers),
            )
        if rng.random() < self.s.qa_probability:
            p_pass = clamp(0.86 + 0.06 * agent.quality, 0.2, 0.99)
            passed = sum(rng.random() < p_pass for _ in range(QA_ITEMS))
            self.sim.at(
                t + self.durations.qa_delay_ms(), functools.partial(self._qa, contact_id, passed)
            )

    def answers(
        self, quality: float, channel: str, transferred: bool, wait_s: float
    ) -> dict[str, Any]:
        """A non-empty subset of csat, nps, fcr and ces, as one customer would answer."""
        rng = self.sim.rng
        # Customers judge waiting against what the channel promises: seconds on the phone, hours
        # for an email.
        expected, scale = (30, 90) if channel in SYNC else (4 * 3600, 8 * 3600)
        late_penalty = max(0.0, wait_s - expected) / scale
        base = 4.2 + 0.6 * quality - 0.8 * late_penalty + rng.gauss(0, 0.7)
        answers: dict[str, Any] = {}
        if rng.random() < 0.95:
            answers["csat"] = int(clamp(round(base), 1, 5))
        if rng.random() < 0.7:
            answers["nps"] = int(clamp(round(base * 2.1 + rng.gauss(0, 1.3)), 0, 10))
        if rng.random() < 0.6:
            resolved = clamp(0.8 + 0.08 * quality - 0.3 * transferred, 0.05, 0.98)
            answers["fcr"] = rng.random() < resolved
        if rng.random() < 0.4:
            answers["ces"] = int(clamp(round(7.5 - 1.2 * base + rng.gauss(0, 0.8)), 1, 7))
        if not answers:
            answers["csat"] = int(clamp(round(base), 1, 5))
        return answers

    def _survey(self, contact_id: str, answers: dict[str, Any], t: int) -> None:
        self.sim.emit(
            SurveyResponse(
                v=1, id=self.sim.new_id(), ts=t, site=self.site, contact_id=contact_id, **answers
            )
        )

    def _qa(self, contact_id: str, passed: int, t: int) -> None:
        self.sim.emit(
            QaEvaluation(
                v=1, id=self.sim.new_id(), ts=t, site=self.site, contact_id=contact_id,
                score=float(passed), max_score=float(QA_ITEMS), items_passed=passed,
                items_failed=QA_ITEMS - passed,
            )
        )  # fmt: skip

    # --- team pulse ---

    def start_pulse(self, clock: SiteClock, t0: int) -> None:
        """Team figures now, then every morning."""
        self._pulse(clock, clock.date(t0), t0)

    def _pulse(self, clock: SiteClock, day: dt.date, t: int) -> None:
        rng = self.sim.rng
        for team in self.s.teams:
            esat = round(clamp(rng.gauss(4.0, 0.3), 1, 5), 2)
            sick = round(clamp(rng.gauss(0.04, 0.015), 0, 1), 3)
            self._team_figure(team, "employee_satisfaction", esat, t)
            self._team_figure(team, "sick_leave_rate", sick, t)
        tomorrow = day + dt.timedelta(days=1)
        self.sim.at(clock.at(tomorrow, PULSE_HOUR), functools.partial(self._pulse, clock, tomorrow))

    def _team_figure(self, team: str, metric: PulseMetric, value: float, t: int) -> None:
        self.sim.emit(
            TeamPulse(
                v=1, id=self.sim.new_id(), ts=t, site=self.site, team=team,
                metric=metric, value=value, respondents=self.s.agents_per_team,
            )
        )  # fmt: skip
