"""Staffing forecast: agents needed now and the service level to expect with those on the floor.

Erlang C (M/M/N: Poisson arrivals, exponential handle times, nobody abandons, every agent on one
queue) on the arrivals and handle time of the last 30 minutes. docs/kpis.md#staffing-forecast
states the model and its limits; tests/engine/test_forecast.py checks it against the simulator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from floorboard.config import Config
from floorboard.engine import erlang
from floorboard.engine.kpis import Figure
from floorboard.engine.layout import Layout, Vector
from floorboard.engine.snapshot import merge_windows
from floorboard.engine.views import QueueView, Views, figures, site_queues, synchronous
from floorboard.engine.windows import Window

FORECAST_WINDOW = Window.ROLLING_30
FORECAST_SECONDS = 30 * 60
# States in which a logged-in agent can take a contact now or soon (not on a break).
ON_FLOOR_STATES = frozenset({"ready", "busy", "acw"})
# Erlang C cannot reach 100 %: a target of 1 is read as this.
MAX_TARGET = 0.99


@dataclass(frozen=True)
class Staffing:
    """``needed``: the fewest agents to meet the SL target at this load; ``staffed``: agents on
    the floor now; ``expected_sl``: Erlang C's SL with them. None where nothing was offered or
    handled in the window (no load to forecast from)."""

    needed: int | None
    staffed: int
    expected_sl: float | None
    load: float  # Erlangs: arrivals per second × handle time
    threshold_s: int
    target: float


def staffing(
    rate_per_s: float, aht_s: float | None, staffed: int, threshold_s: int, target: float
) -> Staffing:
    """Erlang C for ``rate_per_s`` arrivals of ``aht_s`` seconds each."""
    goal = min(target, MAX_TARGET)
    if rate_per_s <= 0 or aht_s is None or aht_s <= 0:
        return Staffing(None, staffed, None, 0.0, threshold_s, goal)
    load = rate_per_s * aht_s
    needed = erlang.agents_for_service_level(rate_per_s, aht_s, threshold_s, goal)
    expected = erlang.service_level(rate_per_s, aht_s, staffed, threshold_s)
    return Staffing(needed, staffed, expected, load, threshold_s, goal)


def agents_on_floor(views: Views, site: str, queues: Iterable[str]) -> int:
    """Agents of ``site`` ready, busy or in wrap-up now and skilled in any of ``queues`` (from
    the agents topic: only the supervisor layout has it)."""
    wanted = set(queues)
    return sum(
        1
        for (s, _), team in views.teams.items()
        if s == site
        for agent in team.agents
        if agent.state in ON_FLOOR_STATES and wanted.intersection(agent.queues)
    )


def _rate_and_aht(
    windows: dict[str, Vector], config: Config, layout: Layout
) -> tuple[float, float | None]:
    """Arrivals per second over the last 30 minutes and their handle time (today's, when none
    were handled in the window)."""
    recent = figures(windows.get(FORECAST_WINDOW), config, layout)
    aht = recent["aht_s"].value
    if aht is None:
        aht = figures(windows.get(Window.TODAY), config, layout)["aht_s"].value
    return float(recent["offered"].value or 0) / FORECAST_SECONDS, aht


def agents_for_queue(views: Views, queue: QueueView, config: Config, layout: Layout) -> int:
    """The agents on the floor that one call or chat queue can count on: each agent shared
    equally among the queues they are skilled in, and a queue's share among its call and chat
    channels by their load in the last 30 minutes; rounded. The shares of all queues add up to
    the agents on the floor, so no agent is counted twice."""
    site_names = {q.queue for q in site_queues(views, queue.site)}
    share = 0.0
    for (s, _), team in views.teams.items():
        if s != queue.site:
            continue
        for agent in team.agents:
            skills = site_names.intersection(agent.queues)
            if agent.state in ON_FLOOR_STATES and queue.queue in skills:
                share += 1 / len(skills)
    loads = {}
    for q in synchronous(site_queues(views, queue.site, queue.queue)):
        rate, aht = _rate_and_aht(q.windows, config, layout)
        loads[q.channel] = rate * (aht or 0.0)
    total = sum(loads.values())
    channel_share = loads.get(queue.channel, 0.0) / total if total > 0 else 1 / max(1, len(loads))
    return round(share * channel_share)


def queue_staffing(views: Views, queue: QueueView, config: Config, layout: Layout) -> Staffing:
    """One call or chat queue with its own threshold and SL target, staffed by its share of the
    agents on the floor (``agents_for_queue``)."""
    rate, aht = _rate_and_aht(queue.windows, config, layout)
    settings = config.channel_settings(queue.site, queue.queue, queue.channel)
    target = config.target("service_level", queue.site, queue.queue)
    return staffing(
        rate,
        aht,
        agents_for_queue(views, queue, config, layout),
        settings.sl_threshold_s,
        target.warn if target is not None else 0.8,
    )


def site_staffing(views: Views, site: str, config: Config, layout: Layout) -> Staffing:
    """The site's calls and chats as one pool: all their arrivals, their handle time, the
    strictest threshold among them, and every agent on the floor skilled in any of them."""
    queues = synchronous(site_queues(views, site))
    rate, aht = _rate_and_aht(merge_windows(q.windows for q in queues), config, layout)
    thresholds = [
        config.channel_settings(q.site, q.queue, q.channel).sl_threshold_s for q in queues
    ]
    target = config.target("service_level", site)
    return staffing(
        rate,
        aht,
        agents_on_floor(views, site, {q.queue for q in queues}),
        min(thresholds, default=20),
        target.warn if target is not None else 0.8,
    )


def staffing_figures(forecast: Staffing) -> dict[str, Figure]:
    """A forecast as figures: ``expected_sl`` (n the agents staffed) and ``agents_needed``."""
    return {
        "expected_sl": Figure(forecast.expected_sl, n=forecast.staffed),
        "agents_needed": Figure(forecast.needed, n=forecast.needed or 0),
    }
