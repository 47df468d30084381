"""The centre: contacts wait per queue × channel and go to the longest-idle skilled agent; talk,
hold, wrap-up, transfers, abandonment and callbacks; the contact events of every leg.

Calls and chats are served before email and messaging, oldest first. Email and messaging wait
in a backlog that is only worked within the site's business hours, and an agent only starts an
item that can be answered before closing time, so first responses fall inside business hours.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypedDict

from floorboard.config import Config, SiteSettings
from floorboard.events.model import (
    Channel,
    ContactAbandoned,
    ContactAnswered,
    ContactCallbackRequested,
    ContactEnded,
    ContactFirstResponse,
    ContactOffered,
    ContactResolved,
    ContactTransferred,
    ContactWrapupEnded,
    Event,
)
from floorboard.simulator.agents import Agent, Workforce, roster, staffed_hours
from floorboard.simulator.arrivals import Arrivals
from floorboard.simulator.clock import SiteClock
from floorboard.simulator.des import Simulation
from floorboard.simulator.distributions import Durations
from floorboard.simulator.feedback import SYNC, Feedback
from floorboard.simulator.scenario import Scenario


@dataclass(eq=False, slots=True)
class Contact:
    id: str
    queue: str  # of the current leg: a transfer moves it
    channel: Channel
    received: int  # first arrival
    offered: int  # start of the current leg
    sync: bool  # voice and chat; email and messaging are worked from a backlog
    waiting: bool = True
    transferred: bool = False
    waited_s: float = 0.0  # over all legs: what the customer remembers
    work_ms: int = 0  # email and messaging: drawn on arrival, to know if it fits before closing
    attempt: int = 0  # bumped on every offer, so an old patience timer can tell it is stale


class LegFields(TypedDict):
    """Fields shared by the events of one contact leg handled by one agent."""

    v: Literal[1]
    site: str
    contact_id: str
    queue: str
    channel: Channel
    agent: str
    team: str


@dataclass(eq=False, slots=True)
class Line:
    queue: str
    channel: Channel
    sync: bool
    items: deque[Contact] = field(default_factory=deque)  # abandoned ones are dropped lazily


class Site:
    """One site: its queue lines, its agents (idle ones per queue) and today's opening hours."""

    def __init__(
        self, sim: Simulation, scenario: Scenario, durations: Durations, site: str,
        settings: SiteSettings,
    ) -> None:  # fmt: skip
        self.sim = sim
        self.s = scenario
        self.durations = durations
        self.id = site
        self.clock = SiteClock(settings)
        queues = list(settings.queues)
        self.lines = [
            Line(q, ch, ch in SYNC) for q, cfg in settings.queues.items() for ch in cfg.channels
        ]
        self._line = {(line.queue, line.channel): line for line in self.lines}
        self._transfer_to = {
            (line.queue, line.channel): [
                other.queue
                for other in self.lines
                if other.channel == line.channel and other.queue != line.queue
            ]
            for line in self.lines
        }
        # Idle agents per queue they are skilled in, in the order they became ready: the first
        # has been idle longest.
        self.idle: dict[str, dict[str, Agent]] = {q: {} for q in queues}
        self.opens = self.closes = 0  # today's business hours once open, else earlier ones
        self.agents = roster(site, queues, scenario, sim.rng)
        self.workforce = Workforce(
            sim, scenario, durations, self.clock, site, self.agents,
            self._available, self._unavailable,
        )  # fmt: skip
        self.arrivals = Arrivals(sim, scenario, self.clock, self._arrive, staffed_hours(scenario))
        self.feedback = Feedback(sim, scenario, durations, site)

    def start(self, t0: int) -> None:
        for line in self.lines:
            self.arrivals.start(line.queue, line.channel, t0)
        self.workforce.start(t0)
        self.feedback.start_pulse(self.clock, t0)
        self._business_day(self.clock.date(t0), t0)

    def _business_day(self, day: dt.date, t0: int) -> None:
        span = self.clock.opening(day)
        if span is not None and span[1] > t0:

            def open_up(t: int) -> None:
                self.opens, self.closes = span
                self._dispatch(t)  # the night's backlog is waiting

            self.sim.at(max(span[0], t0), open_up)
        tomorrow = day + dt.timedelta(days=1)
        self.sim.at(self.clock.midnight(tomorrow), lambda _: self._business_day(tomorrow, t0))

    # --- agents coming and going ---

    def _available(self, agent: Agent, t: int) -> None:
        for queue in agent.skills:
            self.idle[queue][agent.id] = agent
        self._dispatch(t)

    def _unavailable(self, agent: Agent) -> None:
        for queue in agent.skills:
            self.idle[queue].pop(agent.id, None)

    # --- queueing ---

    def _arrive(self, queue: str, channel: Channel, t: int) -> None:
        contact = Contact(f"c{self.sim.new_id()}", queue, channel, t, t, channel in SYNC)
        self._offer(contact, t)

    def _offer(self, contact: Contact, t: int) -> None:
        contact.offered, contact.waiting = t, True
        contact.attempt += 1
        self.sim.emit(
            ContactOffered(
                v=1, id=self.sim.new_id(), ts=t, site=self.id, contact_id=contact.id,
                queue=contact.queue, channel=contact.channel,
            )
        )  # fmt: skip
        if contact.sync:
            patience = self.durations.patience_ms()
            if patience is not None:
                give_up = functools.partial(self._give_up, contact, contact.attempt)
                self.sim.at(t + patience, give_up)
        else:
            contact.work_ms = self.durations.async_work_ms()
        self._line[(contact.queue, contact.channel)].items.append(contact)
        self._dispatch(t)

    def _give_up(self, contact: Contact, attempt: int, t: int) -> None:
        if not contact.waiting or attempt != contact.attempt:
            return
        contact.waiting = False
        wait_s = (t - contact.offered) / 1000
        callback = contact.channel == "voice" and self.sim.rng.random() < self.s.callback_share
        kind = ContactCallbackRequested if callback else ContactAbandoned
        self.sim.emit(
            kind(
                v=1, id=self.sim.new_id(), ts=t, site=self.id, contact_id=contact.id,
                queue=contact.queue, channel=contact.channel, wait_s=wait_s,
            )
        )  # fmt: skip

    def _dispatch(self, t: int) -> None:
        """Give waiting contacts to idle agents until no idle agent can take one."""
        while True:
            best: Line | None = None
            best_rank: tuple[bool, int] | None = None
            for line in self.lines:
                items = line.items
                while items and not items[0].waiting:
                    items.popleft()
                if not items or not self.idle[line.queue]:
                    continue
                head = items[0]
                if not line.sync and not self._async_ok(line, head, t):
                    continue
                rank = (not line.sync, head.offered)
                if best_rank is None or rank < best_rank:
                    best, best_rank = line, rank
            if best is None:
                return
            agent = next(iter(self.idle[best.queue].values()))
            self._answer(agent, best.items.popleft(), t)

    def _async_ok(self, line: Line, head: Contact, t: int) -> bool:
        # Opening hours are half-open: a reply at the closing instant is already after.
        if not (self.opens <= t and t + head.work_ms < self.closes):
            return False
        # Blending: email and messaging only go to an agent when more than a reserve of the
        # queue's agents would still be free for calls and chats.
        return len(self.idle[line.queue]) > self.s.async_reserve

    # --- handling ---

    def _answer(self, agent: Agent, contact: Contact, t: int) -> None:
        contact.waiting = False
        self._unavailable(agent)
        wait_s = (t - contact.offered) / 1000
        contact.waited_s += wait_s
        self.sim.emit(
            ContactAnswered(
                v=1, id=self.sim.new_id(), ts=t, site=self.id, contact_id=contact.id,
                queue=contact.queue, channel=contact.channel, agent=agent.id, team=agent.team,
                wait_s=wait_s,
            )
        )  # fmt: skip
        self.workforce.take(agent, t)
        if contact.sync:
            talk_s, hold_s = self.durations.talk_s(), self.durations.hold_s()
        else:
            talk_s, hold_s = contact.work_ms / 1000, 0.0
        transfer = None
        if not contact.transferred and self.sim.rng.random() < self.s.transfer_probability:
            targets = self._transfer_to[(contact.queue, contact.channel)]
            transfer = self.sim.rng.choice(targets) if targets else None
        end = t + round((talk_s + hold_s) * 1000)
        self.sim.at(end, functools.partial(self._end, agent, contact, talk_s, hold_s, transfer))

    def _end(
        self, agent: Agent, contact: Contact, talk_s: float, hold_s: float, transfer: str | None,
        t: int,
    ) -> None:  # fmt: skip
        sim = self.sim
        leg = LegFields(
            v=1, site=self.id, contact_id=contact.id, queue=contact.queue,
            channel=contact.channel, agent=agent.id, team=agent.team,
        )  # fmt: skip
        # An item passed on to another queue is answered (and resolved) there.
        answered_here = not contact.sync and transfer is None
        received = contact.received
        if answered_here:
            sim.emit(ContactFirstResponse(**leg, id=sim.new_id(), ts=t, received_ts=received))
        if transfer is not None:
            sim.emit(ContactTransferred(**leg, id=sim.new_id(), ts=t, to_queue=transfer))
        sim.emit(ContactEnded(**leg, id=sim.new_id(), ts=t, talk_s=talk_s, hold_s=hold_s))
        if answered_here:
            sim.emit(ContactResolved(**leg, id=sim.new_id(), ts=t, received_ts=received))
        acw_s = self.durations.acw_s()
        if acw_s > 0:
            self.workforce.wrap_up(agent, t)
        if transfer is not None:
            contact.queue, contact.transferred = transfer, True
            self._offer(contact, t)
        else:
            self.feedback.after_contact(
                agent, contact.id, contact.channel, contact.transferred, contact.waited_s, t
            )
        wrapped = functools.partial(self._wrapped, agent, leg, acw_s)
        sim.at(t + round(acw_s * 1000), wrapped)

    def _wrapped(self, agent: Agent, leg: LegFields, acw_s: float, t: int) -> None:
        if acw_s > 0:
            self.sim.emit(ContactWrapupEnded(**leg, id=self.sim.new_id(), ts=t, acw_s=acw_s))
        self.workforce.release(agent, t)


class Centre:
    """Every site of a configuration on one simulation clock."""

    def __init__(self, config: Config, scenario: Scenario, start_ms: int, seed: int) -> None:
        self.sim = Simulation(seed)
        durations = Durations(self.sim.rng, scenario)
        self.sites = [
            Site(self.sim, scenario, durations, site, settings)
            for site, settings in config.sites.items()
        ]
        for site in self.sites:
            site.start(start_ms)

    def run(self, until_ms: int) -> Iterator[Event]:
        """Events in time order up to ``until_ms`` (surveys due later are not emitted)."""
        return self.sim.run(until_ms)
