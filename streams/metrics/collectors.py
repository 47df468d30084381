"""Prometheus collectors over KPI snapshot records: one small collector per area.

Every series is additive. A worker sees only a share of every queue (contacts are partitioned by
contact id), so a per-worker ratio would be an average of averages: ratios are left to PromQL
(`sum by (...)` first, divide after), see dashboards/prometheus/recording.rules.yml.

Counters and histograms carry the day-to-date values of each source partition (label
``partition``). They restart at local midnight, which ``rate()`` and ``increase()`` treat as a
counter reset, and a partition that moves to another worker continues as a new series there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from floorboard.config import DEFAULT_TARGETS, Config
from streams.engine.layout import Layout
from streams.engine.snapshot import QueueSnapshot, Snapshot, TeamSnapshot
from streams.engine.views import merge
from streams.metrics import names as n

RecordSource = Callable[[], Sequence[Snapshot]]
TODAY = "today"


def _partition(source: str) -> str:
    return source.rsplit("/", 1)[-1]


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
        queues = [r for r in self.records() if isinstance(r, QueueSnapshot)]
        teams = [r for r in self.records() if isinstance(r, TeamSnapshot)]
        qlabels = ["site", "queue", "channel", "partition"]
        counters = {
            name: CounterMetricFamily(name, n.HELP[name], labels=qlabels)
            for name in n.QUEUE_COUNTERS
        }
        team_counters = {
            name: CounterMetricFamily(name, n.HELP[name], labels=["site", "team", "partition"])
            for name in n.TEAM_COUNTERS
        }
        hists = {
            name: HistogramMetricFamily(name, n.HELP[name], labels=qlabels) for name in n.HISTOGRAMS
        }
        ix, lay = self.layout.index, self.layout
        for rec in queues:
            vector = rec.windows.get(TODAY)
            if vector is None:
                continue
            labels = [rec.site, rec.queue, rec.channel, _partition(rec.source)]
            for name, field in n.QUEUE_COUNTERS.items():
                counters[name].add_metric(labels, vector[ix[field]])
            _histogram(
                hists[n.ANSWERED_WAIT],
                labels,
                lay.answered_wait(vector),
                lay.wait_bounds_ms,
                vector[ix["answered_wait_ms"]],
            )
            _histogram(
                hists[n.ABANDONED_WAIT],
                labels,
                lay.abandoned_wait(vector),
                lay.wait_bounds_ms,
                vector[ix["abandoned_wait_ms"]],
            )
            _histogram(
                hists[n.TALK_HOLD],
                labels,
                lay.talk_hold(vector),
                lay.handle_bounds_ms,
                vector[ix["talk_ms"]] + vector[ix["hold_ms"]],
            )
            _histogram(
                hists[n.ACW], labels, lay.acw(vector), lay.handle_bounds_ms, vector[ix["acw_ms"]]
            )
        for team in teams:
            vector = team.windows.get(TODAY)
            if vector is None:
                continue
            labels = [team.site, team.team, _partition(team.source)]
            for name, field in n.TEAM_COUNTERS.items():
                team_counters[name].add_metric(labels, vector[ix[field]])
        yield from counters.values()
        yield from team_counters.values()
        yield from hists.values()
        yield from self._live(queues)

    @staticmethod
    def _live(queues: Iterable[QueueSnapshot]) -> Iterator[Metric]:
        # Summed over this worker's partitions; across workers PromQL sums counts, takes min times.
        views = merge(queues)
        labels = ["site", "queue", "channel"]
        waiting = GaugeMetricFamily(n.WAITING, n.HELP[n.WAITING], labels=labels)
        oldest = GaugeMetricFamily(n.OLDEST_WAITING, n.HELP[n.OLDEST_WAITING], labels=labels)
        backlog = GaugeMetricFamily(n.BACKLOG, n.HELP[n.BACKLOG], labels=labels)
        oldest_open = GaugeMetricFamily(n.OLDEST_BACKLOG, n.HELP[n.OLDEST_BACKLOG], labels=labels)
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
    """Survey responses by bucket and score sums, and QA: never with an agent label."""

    def __init__(self, records: RecordSource, layout: Layout) -> None:
        self.records = records
        self.layout = layout

    def collect(self) -> Iterator[Metric]:
        ix = self.layout.index
        labels = ["site", "queue", "channel", "partition"]
        responses = CounterMetricFamily(
            n.SURVEY_RESPONSES, n.HELP[n.SURVEY_RESPONSES], labels=[*labels, "kind", "bucket"]
        )
        sums = CounterMetricFamily(
            n.SURVEY_SCORE_SUM, n.HELP[n.SURVEY_SCORE_SUM], labels=[*labels, "kind"]
        )
        qa = CounterMetricFamily(n.QA_EVALUATIONS, n.HELP[n.QA_EVALUATIONS], labels=labels)
        qa_score = CounterMetricFamily(n.QA_SCORE, n.HELP[n.QA_SCORE], labels=[*labels, "part"])
        for rec in self.records():
            if not isinstance(rec, QueueSnapshot) or TODAY not in rec.windows:
                continue
            v = rec.windows[TODAY]
            key = [rec.site, rec.queue, rec.channel, _partition(rec.source)]
            for kind, bucket, value in (
                ("csat", "top2", v[ix["csat_top2"]]),
                ("csat", "other", v[ix["csat_n"]] - v[ix["csat_top2"]]),
                ("nps", "promoter", v[ix["nps_promoters"]]),
                (
                    "nps",
                    "passive",
                    v[ix["nps_n"]] - v[ix["nps_promoters"]] - v[ix["nps_detractors"]],
                ),
                ("nps", "detractor", v[ix["nps_detractors"]]),
                ("fcr", "yes", v[ix["fcr_yes"]]),
                ("fcr", "no", v[ix["fcr_n"]] - v[ix["fcr_yes"]]),
                ("ces", "all", v[ix["ces_n"]]),
            ):
                responses.add_metric([*key, kind, bucket], value)
            sums.add_metric([*key, "csat"], v[ix["csat_sum"]])
            sums.add_metric([*key, "ces"], v[ix["ces_sum"]])
            qa.add_metric(key, v[ix["qa_n"]])
            qa_score.add_metric([*key, "score"], v[ix["qa_score_milli"]] / 1000)
            qa_score.add_metric([*key, "max"], v[ix["qa_max_milli"]] / 1000)
        yield from (responses, sums, qa, qa_score)


class AgentCollector(Collector):
    """Agents per state and team (counts only: no agent names leave the worker)."""

    def __init__(self, records: RecordSource) -> None:
        self.records = records

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(n.AGENTS, n.HELP[n.AGENTS], labels=["site", "team", "state"])
        counts: dict[tuple[str, str, str], int] = {}
        for rec in self.records():
            if isinstance(rec, TeamSnapshot):
                for agent in rec.agents:
                    key = (rec.site, rec.team, agent.state)
                    counts[key] = counts.get(key, 0) + 1
        for key, count in sorted(counts.items()):
            family.add_metric(list(key), count)
        yield family


class ConfigCollector(Collector):
    """SL thresholds and KPI targets, so rules compare against the configuration in force."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def collect(self) -> Iterator[Metric]:
        threshold = GaugeMetricFamily(
            n.SL_THRESHOLD,
            n.HELP[n.SL_THRESHOLD],
            labels=["site", "queue", "channel", "variant", "le"],
        )
        targets = GaugeMetricFamily(
            n.TARGET, n.HELP[n.TARGET], labels=["site", "queue", "kpi", "level"]
        )
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
                        targets.add_metric([site, queue, kpi, "warn"], target.warn)
                        targets.add_metric([site, queue, kpi, "alert"], target.alert)
        yield from (threshold, targets)
