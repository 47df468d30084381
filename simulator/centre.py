"""A discrete-event simulation of a contact centre that emits canonical events in time order.

One heap of timed actions drives everything: arrivals (a non-homogeneous Poisson process by
thinning), patience running out, agents finishing talk and wrap-up, shifts and breaks, surveys and
QA evaluations arriving later, and the daily team pulse. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from floorboard.config import Config
from simulator.profile import clamp, intraday, lognormal
from simulator.scenario import Scenario
from streams.engine.calendar import BusinessCalendar
from streams.events import model as m

SYNC = ("voice", "chat")
_C = TypeVar("_C", bound=m.ContactBase)
HOUR_MS = 3_600_000


@dataclass(eq=False)
class Contact:
    id: str
    site: str
    queue: str
    channel: m.Channel
    offered: int
    waiting: bool = True
    transferred: bool = False
    attempt: int = 0  # bumped on every offer, so an old patience timer can tell it is stale


@dataclass(eq=False)
class Agent:
    id: str
    site: str
    team: str
    skills: tuple[str, ...]
    quality: float
    working: bool = False  # logged in and on shift
    busy: bool = False
    away: bool = False  # on a break or otherwise not ready


@dataclass
class Site:
    id: str
    calendar: BusinessCalendar
    config_zone: dt.tzinfo
    queues: dict[str, tuple[m.Channel, ...]]
    waiting: dict[tuple[str, str], deque[Contact]] = field(default_factory=dict)
    agents: list[Agent] = field(default_factory=list)
    # Ready agents in the order they became ready: the front has been idle longest.
    idle: dict[str, Agent] = field(default_factory=dict)


class Centre:
    def __init__(self, config: Config, scenario: Scenario, start_ms: int, seed: int) -> None:
        self.s = scenario
        self.rng = random.Random(seed)
        self.start = start_ms
        self._heap: list[tuple[int, int, Callable[[int], None]]] = []
        self._seq = itertools.count()
        self._ids = itertools.count()
        self._prefix = f"s{seed}-"
        self._out: list[m.Event] = []
        self.sites: dict[str, Site] = {}
        for site_id, site_cfg in config.sites.items():
            queues = {q: tuple(c.channels) for q, c in site_cfg.queues.items()}
            site = Site(
                site_id, BusinessCalendar(site_cfg.business_hours, site_cfg.zone),
                site_cfg.zone, queues,
            )  # fmt: skip
            for queue, channels in queues.items():
                for channel in channels:
                    site.waiting[(queue, channel)] = deque()
            self.sites[site_id] = site
            self._staff(site)
            self._schedule_arrivals(site)
            self.at(start_ms, functools.partial(self._pulse, site))

    # --- engine of the simulation ---

    def at(self, when: int, action: Callable[[int], None]) -> None:
        heapq.heappush(self._heap, (when, next(self._seq), action))

    def run(self, until_ms: int) -> Iterator[m.Event]:
        """Events in time order up to ``until_ms`` (later surveys are not emitted)."""
        heap = self._heap
        while heap and heap[0][0] <= until_ms:
            when, _, action = heapq.heappop(heap)
            action(when)
            if self._out:
                yield from self._out
                self._out.clear()

    def _id(self) -> str:
        return f"{self._prefix}{next(self._ids)}"

    def emit(self, event: m.Event) -> None:
        self._out.append(event)

    def _about(self, kind: type[_C], contact: Contact, t: int, **fields: Any) -> None:
        """Emit a contact event of ``kind`` for ``contact`` at ``t``."""
        self.emit(
            kind(  # type: ignore[arg-type]  # every ContactBase subclass is an Event
                v=1,
                id=self._id(),
                ts=t,
                site=contact.site,
                contact_id=contact.id,
                queue=contact.queue,
                channel=contact.channel,
                **fields,
            )
        )

    def _local_hour(self, site: Site, ts: int) -> float:
        local = dt.datetime.fromtimestamp(ts / 1000, tz=site.config_zone)
        return local.hour + local.minute / 60 + local.second / 3600

    def _day_start(self, site: Site, ts: int) -> int:
        local = dt.datetime.fromtimestamp(ts / 1000, tz=site.config_zone)
        midnight = dt.datetime.combine(local.date(), dt.time(0), tzinfo=site.config_zone)
        return int(midnight.timestamp() * 1000)

    # --- arrivals ---

    def _rate_per_ms(self, site: Site, channel: str, ts: int) -> float:
        profile = (
            1.0 if self.s.flat_profile else intraday(self._local_hour(site, ts), self.s.lunch_surge)
        )
        return self.s.peak_per_hour.get(channel, 0.0) * self.s.rate_factor * profile / HOUR_MS

    def _schedule_arrivals(self, site: Site) -> None:
        for queue, channels in site.queues.items():
            for channel in channels:
                peak = self.s.peak_per_hour.get(channel, 0.0) * self.s.rate_factor
                top = peak * max(1.0, self.s.lunch_surge) / HOUR_MS
                if top > 0:
                    self._next_arrival(site, queue, channel, self.start, top)

    def _next_arrival(
        self, site: Site, queue: str, channel: m.Channel, now: int, top: float
    ) -> None:
        """Thinning: candidates at the top rate, each kept with probability rate(t) ÷ top."""
        when = now + max(1, round(self.rng.expovariate(top)))

        def arrive(t: int) -> None:
            if self.rng.random() * top <= self._rate_per_ms(site, channel, t):
                self._offer(site, Contact(f"c{self._id()}", site.id, queue, channel, t), t)
            self._next_arrival(site, queue, channel, t, top)

        self.at(when, arrive)

    def _offer(self, site: Site, contact: Contact, t: int) -> None:
        contact.offered, contact.waiting = t, True
        contact.attempt += 1
        self._about(m.ContactOffered, contact, t)
        site.waiting[(contact.queue, contact.channel)].append(contact)
        if contact.channel in SYNC and self.s.patience_mean_s is not None:
            patience = round(self.rng.expovariate(1 / self.s.patience_mean_s) * 1000)
            attempt = contact.attempt
            self.at(t + patience, lambda now: self._give_up(site, contact, now, attempt))
        self._dispatch(site, t)

    def _give_up(self, site: Site, contact: Contact, t: int, attempt: int) -> None:
        if not contact.waiting or attempt != contact.attempt:
            return
        contact.waiting = False  # lazily dropped from its queue
        wait_s = (t - contact.offered) / 1000
        if contact.channel == "voice" and self.rng.random() < self.s.callback_share:
            self._about(m.ContactCallbackRequested, contact, t, wait_s=wait_s)
        else:
            self._about(m.ContactAbandoned, contact, t, wait_s=wait_s)

    # --- agents ---

    def _staff(self, site: Site) -> None:
        skills = tuple(site.queues)
        for team in self.s.teams:
            for i in range(self.s.agents_per_team):
                quality = self.rng.gauss(0.0, self.s.quality_spread)
                agent = Agent(f"{site.id}-{team}-{i:02d}", site.id, team, skills, quality)
                site.agents.append(agent)
        for agent in site.agents[: self.s.bad_agents]:
            agent.quality = -3.0  # customers notice: CSAT around 2.4 against 4.2
        absent = round(self.s.no_show_share * len(site.agents))
        for day in range(-1, 8):  # shifts from yesterday (still running) to a week ahead
            no_shows = set(self.rng.sample(range(len(site.agents)), absent)) if day >= 0 else set()
            for offset, agent in enumerate(site.agents):
                if offset not in no_shows:
                    self._plan_shift(site, agent, offset, day)

    def _plan_shift(self, site: Site, agent: Agent, offset: int, day: int) -> None:
        if self.s.shift_hours >= 24:
            if day == 0:
                self.at(self.start, lambda t: self._log_in(site, agent, t))
            return
        day_start = self._day_start(site, self.start) + day * 24 * HOUR_MS
        start = day_start + round((7.0 + (offset % 8) * 0.5) * HOUR_MS)
        end = start + round(self.s.shift_hours * HOUR_MS)
        if end <= self.start:
            return
        self.at(max(start, self.start), lambda t: self._log_in(site, agent, t))
        self.at(end, lambda t: self._log_out(site, agent, t))
        if self.s.breaks:
            for after_h, minutes, reason in (
                (2.0, 15, "break"),
                (4.0, 30, "lunch"),
                (6.0, 15, "break"),
            ):
                at = start + round(after_h * HOUR_MS)
                if at > self.start:
                    self.at(
                        at,
                        functools.partial(
                            self._go_away, site, agent, minutes=minutes, reason=reason
                        ),
                    )

    def _state(
        self, site: Site, agent: Agent, t: int, state: str, reason: str | None = None
    ) -> None:
        event = m.AgentState(
            v=1, id=self._id(), ts=t, site=site.id, agent=agent.id, team=agent.team,
            state=state, reason=reason, queues=agent.skills,  # type: ignore[arg-type]
        )  # fmt: skip
        self.emit(event)

    def _log_in(self, site: Site, agent: Agent, t: int) -> None:
        if agent.working:
            return
        agent.working, agent.away = True, False
        self._state(site, agent, t, "logged_in")
        self._ready(site, agent, t)

    def _log_out(self, site: Site, agent: Agent, t: int) -> None:
        agent.working = False
        site.idle.pop(agent.id, None)
        if not agent.busy:  # a busy agent logs out after wrap-up
            self._state(site, agent, t, "logged_out")

    def _go_away(self, site: Site, agent: Agent, t: int, *, minutes: int, reason: str) -> None:
        if not agent.working or agent.away:
            return
        agent.away = True
        site.idle.pop(agent.id, None)
        if not agent.busy:
            self._state(site, agent, t, "not_ready", reason)
        self.at(t + minutes * 60_000, lambda now: self._come_back(site, agent, now, reason))

    def _come_back(self, site: Site, agent: Agent, t: int, reason: str) -> None:
        agent.away = False
        if agent.working and not agent.busy:
            self._ready(site, agent, t)

    def _ready(self, site: Site, agent: Agent, t: int) -> None:
        site.idle.pop(agent.id, None)
        site.idle[agent.id] = agent
        self._state(site, agent, t, "ready")
        self._dispatch(site, t)

    def _free(self, site: Site, agent: Agent, t: int, reason: str | None) -> None:
        """After wrap-up: log out, go on a pending break, or take the next contact."""
        agent.busy = False
        if not agent.working:
            self._state(site, agent, t, "logged_out")
        elif agent.away:
            self._state(site, agent, t, "not_ready", reason or "break")
        else:
            self._ready(site, agent, t)

    def _dispatch(self, site: Site, t: int) -> None:
        """Give the oldest waiting contacts to the longest-idle agents."""
        if not site.idle:
            return
        open_now = site.calendar.is_open(t)
        for agent in list(site.idle.values()):
            contact = self._next_contact(site, open_now)
            if contact is None:
                return
            self._handle(site, agent, contact, t)

    def _next_contact(self, site: Site, open_now: bool) -> Contact | None:
        best: deque[Contact] | None = None
        for (_queue, channel), line in site.waiting.items():
            while line and not line[0].waiting:
                line.popleft()
            if not line or (channel not in SYNC and not open_now):
                continue
            # Calls and chats before email and messaging; oldest first within each.
            rank = (channel not in SYNC, line[0].offered)
            if best is None or rank < (best[0].channel not in SYNC, best[0].offered):
                best = line
        return best.popleft() if best is not None else None

    # --- handling ---

    def _handle(self, site: Site, agent: Agent, contact: Contact, t: int) -> None:
        contact.waiting = False
        agent.busy = True
        site.idle.pop(agent.id, None)
        wait_s = (t - contact.offered) / 1000
        who = {"agent": agent.id, "team": agent.team}
        self._about(m.ContactAnswered, contact, t, wait_s=wait_s, **who)
        self._state(site, agent, t, "busy")
        if contact.channel in SYNC:
            talk = self._talk_s()
            held = self.rng.random() < self.s.hold_probability
            hold = lognormal(self.rng, self.s.hold_mean_s, 0.5) if held else 0.0
        else:
            talk, hold = lognormal(self.rng, self.s.async_handle_mean_s, 0.5), 0.0
        end = t + round((talk + hold) * 1000)
        transfer = self._transfer_target(site, contact)

        def finish(now: int) -> None:
            if contact.channel not in SYNC:
                self._about(
                    m.ContactFirstResponse, contact, now, received_ts=contact.offered, **who
                )
            if transfer is not None:
                self._about(m.ContactTransferred, contact, now, to_queue=transfer, **who)
            self._about(m.ContactEnded, contact, now, talk_s=talk, hold_s=hold, **who)
            if contact.channel not in SYNC and transfer is None:
                self._about(m.ContactResolved, contact, now, received_ts=contact.offered, **who)
            # The wrap-up belongs to this leg, even if a transfer moves the contact on.
            leg = Contact(contact.id, contact.site, contact.queue, contact.channel, contact.offered)
            if transfer is not None:
                contact.queue, contact.transferred = transfer, True
                self._offer(site, contact, now)
            else:
                self._after_contact(site, agent, contact, now, wait_s)
            acw = self.rng.expovariate(1 / self.s.acw_mean_s) if self.s.acw_mean_s > 0 else 0.0
            if acw > 0:
                self._state(site, agent, now, "acw")
            done = now + round(acw * 1000)

            def wrapped(later: int) -> None:
                if acw > 0:
                    self._about(m.ContactWrapupEnded, leg, later, acw_s=acw, **who)
                self._free(site, agent, later, None)

            self.at(done, wrapped)

        self.at(end, finish)

    def _talk_s(self) -> float:
        if self.s.exponential_handle:
            return self.rng.expovariate(1 / self.s.talk_mean_s)
        return lognormal(self.rng, self.s.talk_mean_s, self.s.talk_sigma)

    def _transfer_target(self, site: Site, contact: Contact) -> str | None:
        if contact.transferred or self.rng.random() >= self.s.transfer_probability:
            return None
        others = [
            q for q, chans in site.queues.items() if q != contact.queue and contact.channel in chans
        ]
        return self.rng.choice(others) if others else None

    # --- surveys, QA, pulse ---

    def _after_contact(
        self, site: Site, agent: Agent, contact: Contact, t: int, wait_s: float
    ) -> None:
        rng = self.rng
        if rng.random() < self.s.survey_probability:
            delay = round(lognormal(rng, 40 * 60, 1.0) * 1000)  # minutes to hours
            # Customers judge waiting against what the channel promises: seconds on the phone,
            # hours for an email.
            expected, scale = (30, 90) if contact.channel in SYNC else (4 * 3600, 8 * 3600)
            late_penalty = max(0.0, wait_s - expected) / scale
            base = 4.2 + 0.6 * agent.quality - 0.8 * late_penalty + rng.gauss(0, 0.7)
            answers: dict[str, Any] = {}
            if rng.random() < 0.95:
                answers["csat"] = int(clamp(round(base), 1, 5))
            if rng.random() < 0.7:
                answers["nps"] = int(clamp(round(base * 2.1 + rng.gauss(0, 1.3)), 0, 10))
            if rng.random() < 0.6:
                answers["fcr"] = rng.random() < clamp(
                    0.8 + 0.08 * agent.quality - 0.3 * contact.transferred, 0.05, 0.98
                )
            if rng.random() < 0.4:
                answers["ces"] = int(clamp(round(7.5 - 1.2 * base + rng.gauss(0, 0.8)), 1, 7))
            if not answers:
                answers["csat"] = int(clamp(round(base), 1, 5))
            survey: dict[str, Any] = {"v": 1, "site": site.id, "contact_id": contact.id, **answers}
            self.at(
                t + delay, lambda now: self.emit(m.SurveyResponse(id=self._id(), ts=now, **survey))
            )
        if rng.random() < self.s.qa_probability:
            items = 20
            passed = sum(
                rng.random() < clamp(0.86 + 0.06 * agent.quality, 0.2, 0.99) for _ in range(items)
            )
            qa: dict[str, Any] = {
                "v": 1, "site": site.id, "contact_id": contact.id, "score": float(passed),
                "max_score": float(items), "items_passed": passed, "items_failed": items - passed,
            }  # fmt: skip
            later = t + round(rng.uniform(1, 4) * HOUR_MS)
            self.at(later, lambda now: self.emit(m.QaEvaluation(id=self._id(), ts=now, **qa)))

    def _pulse(self, site: Site, t: int) -> None:
        for team in self.s.teams:
            esat = clamp(self.rng.gauss(4.0, 0.3), 1, 5)
            sick = clamp(self.rng.gauss(0.04, 0.015), 0, 1)
            n = self.s.agents_per_team
            for metric, value in (
                ("employee_satisfaction", round(esat, 2)),
                ("sick_leave_rate", round(sick, 3)),
            ):
                self.emit(
                    m.TeamPulse(
                        v=1,
                        id=self._id(),
                        ts=t,
                        site=site.id,
                        team=team,
                        metric=metric,  # type: ignore[arg-type]
                        value=value,
                        respondents=n,
                    )
                )
        next_day = self._day_start(site, t) + 24 * HOUR_MS + round(7.5 * HOUR_MS)
        self.at(next_day, lambda now: self._pulse(site, now))
