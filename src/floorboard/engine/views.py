"""Merging snapshot records of any number of partitions into queue, team and site views.

Additive parts are summed; live "oldest" timestamps take the minimum; agent rosters and pulse
figures are unions (each agent and team lives in exactly one partition). Figures are derived from
the merged sums, never from per-partition ratios.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from floorboard.config import Config
from floorboard.engine import kpis
from floorboard.engine.kpis import Figure
from floorboard.engine.layout import Layout, add_into
from floorboard.engine.snapshot import (
    AgentLive,
    Pulse,
    QueueSnapshot,
    Snapshot,
    SourceStatus,
    TeamSnapshot,
    merge_windows,
)
from floorboard.engine.windows import WINDOWS


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
    agents: list[AgentLive] = field(default_factory=list)
    agent_quality: dict[str, list[int]] = field(default_factory=dict)
    pulse: dict[str, Pulse] = field(default_factory=dict)


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
            t.agents.extend(rec.agents)
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
    """Figures per window for every queue ("site/queue/channel"), team ("site/team") and site."""
    return {
        window: {
            "queues": {
                "/".join(key): figures(q.windows.get(window), config, layout, key)
                for key, q in sorted(views.queues.items())
            },
            "teams": {
                "/".join(key): figures(t.windows.get(window), config, layout)
                for key, t in sorted(views.teams.items())
            },
            "sites": {
                site: figures(views.site_windows(site).get(window), config, layout)
                for site in views.sites
            },
        }
        for window in WINDOWS
    }
