"""Merging snapshot records of any number of partitions into queue, team and site views.

Additive parts are summed; live "oldest" timestamps take the minimum; agent rosters and pulse
figures are unions (each agent and team lives in exactly one partition). Figures are derived from
the merged sums, never from per-partition ratios.

What a site, team or queue shows is decided here, once, for any reader (the wallboard, the report,
/kpi, the metrics' rules follow them): ``site_figures``, ``team_figures``, ``queue_figures``, with
``occupancy`` computed once for a team or a site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from floorboard.config import ChannelSettings, Config, Direction, Target
from floorboard.engine import kpis
from floorboard.engine.kpis import Figure, Status
from floorboard.engine.layout import AGENT_TIME_FIELDS, Layout, add_into
from floorboard.engine.snapshot import (
    AgentLive,
    AgentRoster,
    Pulse,
    QueueSnapshot,
    Snapshot,
    SourceStatus,
    TeamSnapshot,
    merge_windows,
)
from floorboard.engine.windows import WINDOWS
from floorboard.events.model import ASYNC_CHANNELS


def _min(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


@dataclass
class QueueView:
    site: str
    queue: str
    channel: str
    windows: dict[str, list[int]] = field(default_factory=dict)
    waiting: int = 0
    oldest_wait_ts: int | None = None
    backlog: int = 0
    oldest_open_ts: int | None = None


@dataclass
class TeamView:
    site: str
    team: str
    windows: dict[str, list[int]] = field(default_factory=dict)
    agent_time: dict[str, list[int]] = field(default_factory=dict)
    on_floor: dict[str, int] = field(default_factory=dict)
    skills: set[str] = field(default_factory=set)
    agents: list[AgentLive] = field(default_factory=list)  # only from the agents topic
    agent_quality: dict[str, list[int]] = field(default_factory=dict)
    pulse: dict[str, Pulse] = field(default_factory=dict)
    # window -> (queue, channel) -> contacts the team answered there
    answered_queues: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)


@dataclass
class Views:
    queues: dict[tuple[str, str, str], QueueView] = field(default_factory=dict)
    teams: dict[tuple[str, str], TeamView] = field(default_factory=dict)
    watermarks: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    as_of: int = 0

    def site_windows(self, site: str) -> dict[str, list[int]]:
        """Site totals: the sum of its queues (team views would count handled work twice)."""
        return merge_windows(q.windows for q in self.queues.values() if q.site == site)

    @property
    def sites(self) -> list[str]:
        return sorted(
            {q.site for q in self.queues.values()} | {t.site for t in self.teams.values()}
        )


def merge(records: Iterable[Snapshot]) -> Views:
    views = Views()
    for rec in records:
        views.as_of = max(views.as_of, rec.as_of)
        if isinstance(rec, QueueSnapshot):
            q = views.queues.setdefault(
                (rec.site, rec.queue, rec.channel), QueueView(rec.site, rec.queue, rec.channel)
            )
            q.windows = merge_windows([q.windows, rec.windows])
            q.waiting += rec.waiting
            q.backlog += rec.backlog
            q.oldest_wait_ts = _min(q.oldest_wait_ts, rec.oldest_wait_ts)
            q.oldest_open_ts = _min(q.oldest_open_ts, rec.oldest_open_ts)
        elif isinstance(rec, TeamSnapshot):
            t = views.teams.setdefault((rec.site, rec.team), TeamView(rec.site, rec.team))
            t.windows = merge_windows([t.windows, rec.windows])
            t.agent_time = merge_windows([t.agent_time, rec.agent_time])
            for state, count in rec.on_floor.items():
                t.on_floor[state] = t.on_floor.get(state, 0) + count
            t.skills.update(rec.skills)
            for window, answered in rec.answered_queues.items():
                by_queue = t.answered_queues.setdefault(window, {})
                for queue, channel, count in answered:
                    by_queue[(queue, channel)] = by_queue.get((queue, channel), 0) + count
            for name, sums in rec.agent_quality.items():
                if name in t.agent_quality:
                    add_into(t.agent_quality[name], sums)
                else:
                    t.agent_quality[name] = list(sums)
            for metric, pulse in rec.pulse.items():
                seen = t.pulse.get(metric)
                if seen is None or (pulse.ts, pulse.value, pulse.respondents) > (
                    seen.ts,
                    seen.value,
                    seen.respondents,
                ):
                    t.pulse[metric] = pulse
        elif isinstance(rec, AgentRoster):
            t = views.teams.setdefault((rec.site, rec.team), TeamView(rec.site, rec.team))
            t.agents.extend(rec.agents)
        elif isinstance(rec, SourceStatus):
            for site, wm in rec.watermarks.items():
                views.watermarks[site] = max(views.watermarks.get(site, wm), wm)
            for name, count in rec.counters.items():
                views.counters[name] = views.counters.get(name, 0) + count
    return views


def figures(
    vector: list[int] | None,
    config: Config,
    layout: Layout,
    queue: tuple[str, str, str] | None = None,
) -> dict[str, Figure]:
    """All production and quality figures of one vector.

    With ``queue`` = (site, queue, channel) the queue's SL variant and threshold apply; otherwise
    (site and team totals) the configured aggregate variant over each queue's own threshold.
    """
    vector = vector if vector is not None else layout.zero()
    # The unattributed cell (empty queue and channel) holds only survey and QA sums and has no
    # channel settings: it is read like a total.
    if queue is not None and queue[2] in config.channels:
        settings = config.channel_settings(*queue)
        variant, threshold = settings.sl_variant, settings.sl_threshold_s
    else:
        variant, threshold = config.engine.aggregate_sl_variant, None
    out = kpis.production(vector, layout, variant, threshold)
    out.update(kpis.quality(vector, layout, config.engine))
    return out


def figures_by_window(views: Views, config: Config, layout: Layout) -> dict[str, Any]:
    """Per window, what every queue ("site/queue/channel"), team ("site/team") and site shows:
    ``queue_figures``, ``team_figures`` and ``site_figures``, as on the wallboard."""
    return {
        window: {
            "queues": {
                "/".join(key): queue_figures(views, q, window, config, layout)
                for key, q in sorted(views.queues.items())
            },
            "teams": {
                "/".join(key): team_figures(views, *key, window, config, layout)
                for key in sorted(views.teams)
            },
            "sites": {
                site: site_figures(views, site, window, config, layout) for site in views.sites
            },
        }
        for window in WINDOWS
    }


# Figures built on offers and abandons, which happen before any team is reached (a team's own
# cells hold none): on a team they are those of the queues it answered in the window.
FIGURES_BEFORE_TEAM: tuple[str, ...] = (
    "offered",
    "abandoned",
    "short_abandoned",
    "callbacks",
    "service_level",
    "abandon_rate",
    "abandon_rate_excl_short",
    "avg_abandon_s",
)

# Agent states worth a supervisor's look once held longer than this (ms).
LONG_IN_STATE_MS: dict[str, int] = {"not_ready": 15 * 60_000, "acw": 3 * 60_000}


def site_queues(views: Views, site: str, queue: str | None = None) -> list[QueueView]:
    """The site's queue views (every channel) sorted by queue and channel, without the
    unattributed cell; only ``queue``'s channels when given."""
    return [
        q
        for key, q in sorted(views.queues.items())
        if key[0] == site and key[1] and (queue is None or key[1] == queue)
    ]


def served_queues(views: Views, team: TeamView) -> list[QueueView]:
    """Queue views (every channel) at the team's site that its logged-in agents are skilled for."""
    return [q for q in views.queues.values() if q.site == team.site and q.queue in team.skills]


def answered_queues(views: Views, team: TeamView, window: str) -> list[QueueView]:
    """Queue views (site, queue, channel) in which the team answered contacts in ``window``."""
    answered = team.answered_queues.get(window, {})
    return [
        q
        for (site, queue, channel), q in sorted(views.queues.items())
        if site == team.site and answered.get((queue, channel), 0) > 0
    ]


def team_scope(team: str, queues: Iterable[QueueView]) -> str:
    """The label of a team's queue-side figures: which queues they cover."""
    names = ", ".join(f"{q.queue}/{q.channel}" for q in queues) or "none"
    return f"queues {team} answered: {names}"


def occupancy(teams: Iterable[TeamView], window: str) -> Figure:
    """Occupancy of ``teams`` (one team, or every team of a site) in ``window``: their agent time
    in state summed, then (busy + ACW) ÷ (ready + busy + ACW) (``kpis.occupancy``)."""
    total = merge_windows(t.agent_time for t in teams).get(window)
    return kpis.occupancy(total if total is not None else [0] * len(AGENT_TIME_FIELDS))


def agents_logged_in(teams: Iterable[TeamView]) -> Figure:
    agents = sum(sum(t.on_floor.values()) for t in teams)
    return Figure(float(agents), n=agents)


def synchronous(queues: Iterable[QueueView]) -> list[QueueView]:
    """Call and chat queues. Email and messaging wait hours by design: backlog, not waiting."""
    return [q for q in queues if q.channel not in ASYNC_CHANNELS]


def asynchronous(queues: Iterable[QueueView]) -> list[QueueView]:
    """Email and messaging queues: judged by their response SLA and backlog age."""
    return [q for q in queues if q.channel in ASYNC_CHANNELS]


def backlog_age(queues: Iterable[QueueView], as_of: int) -> Figure:
    """``backlog_age_s``: the age of the oldest open email or messaging item, n the open items."""
    open_queues = list(queues)
    oldest = [q.oldest_open_ts for q in open_queues if q.oldest_open_ts is not None]
    age = None if not oldest else max(0, as_of - min(oldest)) / 1000
    return Figure(age, n=sum(q.backlog for q in open_queues))


def backlog_target(settings: ChannelSettings) -> Target | None:
    """The oldest open item is amber past half its response SLA and red once past the SLA; a
    same-business-day promise has no fixed age and is not judged."""
    sla = settings.response_sla
    if sla is None or sla.seconds is None:
        return None
    return Target(good=Direction.LOWER, warn=sla.seconds / 2, alert=sla.seconds)


# Figures whose targets are phone targets (answer within seconds, handle in minutes): judged on
# calls and chats only, never on email and messaging.
SYNCHRONOUS_FIGURES: tuple[str, ...] = (
    "offered",
    "abandoned",
    "service_level",
    "abandon_rate",
    "asa_s",
    "aht_s",
)


def channel_figures(
    views: Views,
    site: str,
    window: str,
    config: Config,
    layout: Layout,
    queue: str | None = None,
) -> dict[str, Figure]:
    """Per kind of channel, for the site (or ``queue``'s channels): ``SYNCHRONOUS_FIGURES`` of
    its call and chat queues, scope "calls and chats"; ``response_sla_rate`` of its email and
    messaging queues and their ``backlog_age``, scope "email and messaging"."""
    queues = site_queues(views, site, queue)
    calls = figures(
        merge_windows(q.windows for q in synchronous(queues)).get(window), config, layout
    )
    out = {
        name: msgspec.structs.replace(calls[name], scope="calls and chats")
        for name in SYNCHRONOUS_FIGURES
    }
    written = asynchronous(queues)
    items = figures(merge_windows(q.windows for q in written).get(window), config, layout)
    out["response_sla_rate"] = msgspec.structs.replace(
        items["response_sla_rate"], scope="email and messaging"
    )
    out["backlog_age_s"] = msgspec.structs.replace(
        backlog_age(written, views.as_of), scope="email and messaging"
    )
    return out


def live_figures(queues: Iterable[QueueView], as_of: int) -> dict[str, Figure]:
    """``waiting``: contacts waiting now in ``queues``; ``longest_wait_s``: the oldest's wait."""
    live = list(queues)
    waiting = sum(q.waiting for q in live)
    oldest = [q.oldest_wait_ts for q in live if q.oldest_wait_ts is not None]
    longest = None if not oldest else max(0, as_of - min(oldest)) / 1000
    return {"waiting": Figure(waiting, n=waiting), "longest_wait_s": Figure(longest)}


def pulse_figures(teams: Iterable[TeamView]) -> dict[str, Figure]:
    """Each pulse metric across ``teams``, n its respondents.

    A team's pulse is already a mean of its respondents, so teams are weighted by respondents
    (a team reporting none weighs as one): the result is the mean over all respondents.
    """
    sums: dict[str, tuple[float, int, int]] = {}
    for view in teams:
        for metric, p in view.pulse.items():
            total, weight, count = sums.get(metric, (0.0, 0, 0))
            w = max(p.respondents, 1)
            sums[metric] = (total + p.value * w, weight + w, count + p.respondents)
    return {m: Figure(total / weight, n=n) for m, (total, weight, n) in sums.items()}


def site_figures(
    views: Views,
    site: str,
    window: str,
    config: Config,
    layout: Layout,
    queue: str | None = None,
) -> dict[str, Figure]:
    """What a site shows for ``window``: ``figures`` of all its queues (of ``queue``'s channels
    only, when given), ``live_figures`` of its call and chat queues, and its teams' pulse,
    ``occupancy`` and ``agents_logged_in``."""
    queues = site_queues(views, site, queue)
    # The whole site includes its unattributed cell (surveys whose contact is not known yet).
    if queue is None:
        windows = views.site_windows(site)
    else:
        windows = merge_windows(q.windows for q in queues)
    out = figures(windows.get(window), config, layout)
    out.update(live_figures(synchronous(queues), views.as_of))
    teams = [t for t in views.teams.values() if t.site == site]
    out.update(pulse_figures(teams))
    out["occupancy"] = occupancy(teams, window)
    out["agents_logged_in"] = agents_logged_in(teams)
    return out


def team_figures(
    views: Views, site: str, team: str, window: str, config: Config, layout: Layout
) -> dict[str, Figure]:
    """What a team shows for ``window``.

    Its own handling and quality ``figures``, except ``FIGURES_BEFORE_TEAM``, which are those of
    the queues (site, queue, channel) it answered contacts in during ``window``, summed then
    derived, with ``scope`` naming them; ``live_figures`` of the call and chat queues its
    logged-in agents serve now; ``occupancy`` and ``agents_logged_in``; ``spread_csat_mean`` and
    ``spread_qa_score``, the interquartile range of per-agent means (low Q1, high Q3, n agents; no
    value below ``spread_min_agents``); its pulse.
    """
    view = views.teams.get((site, team), TeamView(site, team))
    out = figures(view.windows.get(window), config, layout)
    answered = answered_queues(views, view, window)
    before = figures(merge_windows(q.windows for q in answered).get(window), config, layout)
    scope = team_scope(team, answered)
    out.update(
        {name: msgspec.structs.replace(before[name], scope=scope) for name in FIGURES_BEFORE_TEAM}
    )
    out.update(live_figures(synchronous(served_queues(views, view)), views.as_of))
    out["occupancy"] = occupancy([view], window)
    out["agents_logged_in"] = agents_logged_in([view])
    for name, spread in kpis.spread(view.agent_quality, config.engine).items():
        out[f"spread_{name}"] = (
            Figure(None)
            if spread is None
            else Figure(spread.iqr, n=spread.agents, low=spread.q1, high=spread.q3)
        )
    out.update(pulse_figures([view]))
    return out


def queue_figures(
    views: Views, queue: QueueView, window: str, config: Config, layout: Layout
) -> dict[str, Figure]:
    """One queue's ``figures`` for ``window`` (its own SL variant and threshold), with its
    ``live_figures`` whatever its channel."""
    key = (queue.site, queue.queue, queue.channel)
    out = figures(queue.windows.get(window), config, layout, key)
    out.update(live_figures([queue], views.as_of))
    return out


def figure_status(fig: Figure, target: Target | None) -> Status:
    """A figure's status against its target. Too few responses are not judged: unknown, not red."""
    return Status.UNKNOWN if fig.low_sample else kpis.classify(fig.value, target)


def time_in_state_ms(agent: AgentLive, as_of: int) -> int:
    """How long the agent has been in its state; never negative when source clocks disagree."""
    return max(0, as_of - agent.since)


def long_in_state(agent: AgentLive, as_of: int) -> bool:
    """Whether the agent has been in a ``LONG_IN_STATE_MS`` state for longer than its limit."""
    limit = LONG_IN_STATE_MS.get(agent.state)
    return limit is not None and time_in_state_ms(agent, as_of) > limit
