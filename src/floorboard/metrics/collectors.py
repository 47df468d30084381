"""Prometheus collectors over KPI snapshot records: one small collector per area.

Every series is additive. A worker sees only a share of every queue (contacts are partitioned by
contact id), so a per-worker ratio would be an average of averages: ratios are left to PromQL
(`sum by (...)` first, divide after), see floorboard/dashboards/prometheus/recording.rules.yml.

Counters and histograms carry the day-to-date values of each source partition (label
``partition``). Within a local day they only grow; they restart at local midnight, which
``rate()`` and ``increase()`` treat as a counter reset; a partition that moves to another worker
continues as a new series there. Survey and QA counters are per site (see names.QUALITY_LABELS).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from floorboard.config import DEFAULT_TARGETS, Config
from floorboard.engine.calendar import BusinessCalendar
from floorboard.engine.layout import AGENT_TIME_FIELDS, Layout, Vector, add_into
from floorboard.engine.snapshot import QueueSnapshot, Snapshot, TeamSnapshot
from floorboard.engine.views import merge
from floorboard.events.model import AGENT_STATES
from floorboard.metrics import names as n
from floorboard.metrics.names import Spec

RecordSource = Callable[[], Sequence[Snapshot]]
TODAY = "today"


def _partition(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def counter(spec: Spec) -> CounterMetricFamily:
    return CounterMetricFamily(spec.name, spec.help, labels=list(spec.labels))


def gauge(spec: Spec) -> GaugeMetricFamily:
    return GaugeMetricFamily(spec.name, spec.help, labels=list(spec.labels))


def histogram(spec: Spec) -> HistogramMetricFamily:
    return HistogramMetricFamily(spec.name, spec.help, labels=list(spec.labels))


def _histogram(
    family: HistogramMetricFamily,
    labels: list[str],
    counts: Sequence[int],
    bounds: Sequence[int],
    sum_ms: int,
) -> None:
    cumulative, buckets = 0, []
    for bound, count in zip(bounds, counts, strict=False):
        cumulative += count
        buckets.append((_seconds_label(bound), cumulative))
    buckets.append(("+Inf", cumulative + counts[-1]))
    family.add_metric(labels, buckets, sum_ms / 1000)


def _seconds_label(bound_ms: int) -> str:
    """``le`` as prometheus_client formats floats, so rules can match ``le="20.0"``."""
    return str(float(bound_ms / 1000))


class QueueCollector(Collector):
    """Contact counters, wait and handle histograms, and the live queue."""

    def __init__(self, records: RecordSource, layout: Layout) -> None:
        self.records = records
        self.layout = layout

    def collect(self) -> Iterator[Metric]:
        records = self.records()
        # queue "" is the site's unattributed cell: it only ever holds survey and QA answers
        queues = [r for r in records if isinstance(r, QueueSnapshot) and r.queue]
        counters = {
            spec: counter(spec) for spec in (*n.QUEUE_COUNTERS, n.RESOLVE_SECONDS, *n.TEAM_COUNTERS)
        }
        hists = {spec: histogram(spec) for spec in n.HISTOGRAMS}
        ix, lay = self.layout.index, self.layout
        for rec in queues:
            vector = rec.windows.get(TODAY)
            if vector is None:
                continue
            labels = [rec.site, rec.queue, rec.channel, _partition(rec.source)]
            for spec in n.QUEUE_COUNTERS:
                counters[spec].add_metric(labels, vector[ix[spec.field]])
            counters[n.RESOLVE_SECONDS].add_metric(labels, vector[ix["resolve_ms"]] / 1000)
            for spec, counts, bounds, sum_ms in (
                (n.ANSWERED_WAIT, lay.answered_wait(vector), lay.wait_bounds_ms,
                 vector[ix["answered_wait_ms"]]),
                (n.ABANDONED_WAIT, lay.abandoned_wait(vector), lay.wait_bounds_ms,
                 vector[ix["abandoned_wait_ms"]]),
                (n.TALK_HOLD, lay.talk_hold(vector), lay.handle_bounds_ms,
                 vector[ix["talk_ms"]] + vector[ix["hold_ms"]]),
                (n.ACW, lay.acw(vector), lay.handle_bounds_ms, vector[ix["acw_ms"]]),
            ):  # fmt: skip
                _histogram(hists[spec], labels, counts, bounds, sum_ms)
        teams = [r for r in records if isinstance(r, TeamSnapshot)]
        for team in teams:
            if TODAY not in team.windows:
                continue
            vector = team.windows[TODAY]
            labels = [team.site, team.team, _partition(team.source)]
            for spec in n.TEAM_COUNTERS:
                counters[spec].add_metric(labels, vector[ix[spec.field]])
        yield from counters.values()
        yield from self._team_time(teams)
        yield from hists.values()
        yield from self._live(queues)

    @staticmethod
    def _team_time(teams: Iterable[TeamSnapshot]) -> Iterator[Metric]:
        """Queues each team answered, and its agents' time per state (occupancy's inputs)."""
        answered, state_time = counter(n.TEAM_QUEUE_ANSWERED), counter(n.AGENT_STATE_SECONDS)
        for team in teams:
            partition = _partition(team.source)
            for queue, channel, count in team.answered_queues.get(TODAY, []):
                answered.add_metric([team.site, team.team, queue, channel, partition], count)
            time_ms = team.agent_time.get(TODAY)
            if time_ms is not None:
                for state, ms in zip(AGENT_TIME_FIELDS, time_ms, strict=True):
                    state_time.add_metric([team.site, team.team, state, partition], ms / 1000)
        yield from (answered, state_time)

    @staticmethod
    def _live(queues: Iterable[QueueSnapshot]) -> Iterator[Metric]:
        # Summed over this worker's partitions; across workers PromQL sums counts, takes min times.
        views = merge(queues)
        waiting, oldest, backlog, oldest_open = (gauge(spec) for spec in n.LIVE)
        for (site, queue, channel), q in sorted(views.queues.items()):
            key = [site, queue, channel]
            waiting.add_metric(key, q.waiting)
            if q.oldest_wait_ts is not None:
                oldest.add_metric(key, q.oldest_wait_ts / 1000)
            backlog.add_metric(key, q.backlog)
            if q.oldest_open_ts is not None:
                oldest_open.add_metric(key, q.oldest_open_ts / 1000)
        yield from (waiting, oldest, backlog, oldest_open)


class QualityCollector(Collector):
    """Survey answers by bucket, score sums and QA per site: never with an agent label.

    A survey that arrives before its contact waits in the site's unattributed cell and moves to
    its queue when the contact shows up (floorboard/engine/attribution.py); a later answer can move
    it again. Per-queue counters would drop on every move, so the sums here are per site and
    partition, where a move adds and subtracts the same amount and the counter only grows.
    """

    def __init__(self, records: RecordSource, layout: Layout) -> None:
        self.records = records
        self.layout = layout

    def collect(self) -> Iterator[Metric]:
        ix = self.layout.index
        totals: dict[tuple[str, str], Vector] = {}
        for rec in self.records():
            if isinstance(rec, QueueSnapshot) and TODAY in rec.windows:
                site_part = (rec.site, _partition(rec.source))
                if site_part in totals:
                    add_into(totals[site_part], rec.windows[TODAY])
                else:
                    totals[site_part] = list(rec.windows[TODAY])
        responses, sums, qa, qa_points = (counter(spec) for spec in n.QUALITY)
        for (site, partition), v in sorted(totals.items()):
            key = [site, partition]
            counts = {
                ("csat", "top2"): v[ix["csat_top2"]],
                ("csat", "other"): v[ix["csat_n"]] - v[ix["csat_top2"]],
                ("nps", "promoter"): v[ix["nps_promoters"]],
                ("nps", "passive"): v[ix["nps_n"]] - v[ix["nps_promoters"]]
                - v[ix["nps_detractors"]],
                ("nps", "detractor"): v[ix["nps_detractors"]],
                ("fcr", "yes"): v[ix["fcr_yes"]],
                ("fcr", "no"): v[ix["fcr_n"]] - v[ix["fcr_yes"]],
                ("ces", "all"): v[ix["ces_n"]],
            }  # fmt: skip
            for kind, bucket in n.SURVEY_BUCKETS:
                responses.add_metric([*key, kind, bucket], counts[(kind, bucket)])
            sums.add_metric([*key, "csat"], v[ix["csat_sum"]])
            sums.add_metric([*key, "ces"], v[ix["ces_sum"]])
            qa.add_metric(key, v[ix["qa_n"]])
            qa_points.add_metric([*key, "score"], v[ix["qa_score_milli"]] / 1000)
            qa_points.add_metric([*key, "max"], v[ix["qa_max_milli"]] / 1000)
        yield from (responses, sums, qa, qa_points)


# A logged-out agent is not on the floor: counted nowhere (and not in the snapshot roster).
FLOOR_STATES = tuple(state for state in AGENT_STATES if state != "logged_out")


class AgentCollector(Collector):
    """Agents per state and team (counts only: no agent names leave the worker).

    Every state of a known team is exported, zeros included, so "nobody ready" reads as 0 on a
    TV rather than as an empty panel.
    """

    def __init__(self, records: RecordSource) -> None:
        self.records = records

    def collect(self) -> Iterator[Metric]:
        family = gauge(n.AGENTS)
        counts: dict[tuple[str, str, str], int] = {}
        for rec in self.records():
            if isinstance(rec, TeamSnapshot):
                for floor_state in FLOOR_STATES:
                    counts.setdefault((rec.site, rec.team, floor_state), 0)
                for state, count in rec.on_floor.items():
                    key = (rec.site, rec.team, state)
                    counts[key] = counts.get(key, 0) + count
        for key, count in sorted(counts.items()):
            family.add_metric(list(key), count)
        yield family


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


class ConfigCollector(Collector):
    """SL thresholds, KPI targets and opening hours, so rules use the configuration in force.

    ``clock`` gives the read time in epoch ms: the wall clock, or the worker's read time when it
    replays a fixed instant, so "open" matches the figures beside it.
    """

    def __init__(self, config: Config, clock: Callable[[], int] = wall_clock_ms) -> None:
        self.config = config
        self.clock = clock
        self.calendars = {
            site: BusinessCalendar(cfg.business_hours, cfg.zone)
            for site, cfg in config.sites.items()
        }

    def collect(self) -> Iterator[Metric]:
        threshold, site_open = gauge(n.SL_THRESHOLD), gauge(n.SITE_OPEN)
        targets = {spec: gauge(spec) for spec in n.TARGETS}
        now = self.clock()
        for site, calendar in sorted(self.calendars.items()):
            site_open.add_metric([site], int(calendar.is_open(now)))
        for site, site_cfg in self.config.sites.items():
            for queue, queue_cfg in site_cfg.queues.items():
                for channel in queue_cfg.channels:
                    s = self.config.channel_settings(site, queue, channel)
                    le = _seconds_label(s.sl_threshold_s * 1000)
                    threshold.add_metric(
                        [site, queue, channel, s.sl_variant.value, le], s.sl_threshold_s
                    )
                for kpi in DEFAULT_TARGETS:
                    target = self.config.target(kpi, site, queue)
                    if target is not None:
                        family = targets[n.TARGET_FAMILY[kpi]]
                        family.add_metric([site, queue, kpi, "warn"], target.warn)
                        family.add_metric([site, queue, kpi, "alert"], target.alert)
        yield from (threshold, *targets.values(), site_open)
