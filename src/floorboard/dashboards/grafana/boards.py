"""The four dashboards. Every panel reads recording rules or contract metrics; ratios come from
sums (floorboard/dashboards/prometheus/recording.rules.yml). Each fits a 1080p TV in kiosk mode: 24
columns, at most 27 rows down (tests/dashboards/test_grafana.py), refresh every 30 s."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, QueryVariable
from grafana_foundation_sdk.models.dashboard import DashboardCursorSync, VariableRefresh

from floorboard.dashboards.grafana.panels import DATASOURCE, interval, series, stat

SITE = 'site=~"$site"'


def _base(uid: str, title: str, description: str) -> Dashboard:
    return (
        Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["floorboard"])
        .refresh("30s")
        .time("now-6h", "now")
        .timezone("browser")
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .with_variable(
            QueryVariable("site")
            .label("Site")
            .datasource(DATASOURCE)
            .query("label_values(floorboard_contacts_offered_total, site)")
            .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
            .multi(True)
            .include_all(True)
        )
    )


def operations_overview() -> Dashboard:
    """Every site on one page: service level, abandonment and CSAT side by side."""
    d = _base("floorboard-overview", "Floorboard · Operations overview",
              "All sites: production and customer figures side by side")  # fmt: skip
    row = [
        ("Service level today", f"floorboard:site_service_level:today{{{SITE}}}", "percentunit", "service_level"),
        ("CSAT today (1–5)", f"floorboard:csat_mean:today{{{SITE}}}", "none", "csat_mean"),
        ("Abandoned today", f"floorboard:site_abandon_rate:today{{{SITE}}}", "percentunit", "abandon_rate"),
        ("NPS today", f"floorboard:nps:today{{{SITE}}}", "none", "nps"),
    ]  # fmt: skip
    for i, (title, expr, unit, kpi) in enumerate(row):
        d = d.with_panel(stat(title, expr, unit, kpi, (i * 6, 0, 6, 6)))
    d = d.with_panel(
        stat(
            "Waiting now",
            f"sum by (site) (floorboard:contacts_waiting:sum{{{SITE}}})",
            "none",
            "waiting",
            (0, 6, 6, 5),
        )
    )
    d = d.with_panel(
        stat(
            "Longest wait",
            f"max by (site) (floorboard:longest_wait:seconds{{{SITE}}})",
            "s",
            "longest_wait_s",
            (6, 6, 6, 5),
        )
    )
    d = d.with_panel(
        stat(
            "CSAT answers today (n)",
            f"floorboard:csat_responses:today{{{SITE}}}",
            "none",
            None,
            (12, 6, 6, 5),
        )
    )
    d = d.with_panel(
        stat("Agents ready", f"floorboard:agents_ready:sum{{{SITE}}}", "none", None, (18, 6, 6, 5))
    )
    d = d.with_panel(
        series(
            "Service level, 15 minutes",
            [(f"floorboard:site_service_level:ratio15m{{{SITE}}}", "{{site}}")],
            "percentunit",
            (0, 11, 12, 10),
            "service_level",
        )
    )
    d = d.with_panel(
        series(
            "CSAT, last hour",
            [(f"floorboard:csat_mean:mean1h{{{SITE}}}", "{{site}}")],
            "none",
            (12, 11, 12, 10),
            "csat_mean",
        )
    )
    return d  # fmt: skip


def queue_detail() -> Dashboard:
    d = _base(
        "floorboard-queue",
        "Floorboard · Queue detail",
        "One queue: volumes, waits, SL and customers",
    )
    d = d.with_variable(
        QueryVariable("queue").label("Queue").datasource(DATASOURCE)
        .query('label_values(floorboard_contacts_offered_total{site=~"$site"}, queue)')
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED).multi(True).include_all(True)
    )  # fmt: skip
    q = 'site=~"$site", queue=~"$queue"'
    d = d.with_panel(
        stat(
            "SL 15 min",
            f"floorboard:service_level:ratio15m{{{q}}}",
            "percentunit",
            "service_level",
            (0, 0, 6, 6),
            "{{queue}} {{channel}}",
        )
    )
    d = d.with_panel(
        stat(
            "Abandoned 15 min",
            f"floorboard:abandon_rate:ratio15m{{{q}}}",
            "percentunit",
            "abandon_rate",
            (6, 0, 6, 6),
            "{{queue}} {{channel}}",
        )
    )
    d = d.with_panel(
        stat(
            "Waiting",
            f"floorboard:contacts_waiting:sum{{{q}}}",
            "none",
            "waiting",
            (12, 0, 6, 6),
            "{{queue}} {{channel}}",
        )
    )
    d = d.with_panel(
        stat(
            "Longest wait",
            f"floorboard:longest_wait:seconds{{{q}}}",
            "s",
            "longest_wait_s",
            (18, 0, 6, 6),
            "{{queue}} {{channel}}",
        )
    )
    d = d.with_panel(
        series(
            "Offered per 15 min",
            [(f"floorboard:offered:increase15m{{{q}}}", "{{queue}} {{channel}}")],
            "none",
            (0, 6, 12, 9),
        )
    )
    d = d.with_panel(
        series(
            "Wait p50 / p95 (answered, 15 min)",
            [
                (
                    f"histogram_quantile(0.5, sum by (le, queue, channel) (increase(floorboard_answered_wait_seconds_bucket{{{q}}}[15m])))",
                    "p50 {{queue}} {{channel}}",
                ),
                (
                    f"histogram_quantile(0.95, sum by (le, queue, channel) (increase(floorboard_answered_wait_seconds_bucket{{{q}}}[15m])))",
                    "p95 {{queue}} {{channel}}",
                ),
            ],
            "s",
            (12, 6, 12, 9),
        )
    )
    d = d.with_panel(
        series(
            "ASA, 15 min",
            [(f"floorboard:asa_seconds:mean15m{{{q}}}", "{{queue}} {{channel}}")],
            "s",
            (0, 15, 12, 9),
            "asa_s",
        )
    )
    d = d.with_panel(
        series(
            "Service level and abandonment, 1 h",
            [
                (f"floorboard:service_level:ratio1h{{{q}}}", "SL {{queue}} {{channel}}"),
                (f"floorboard:abandon_rate:ratio1h{{{q}}}", "abandoned {{queue}} {{channel}}"),
            ],
            "percentunit",
            (12, 15, 12, 9),
        )
    )
    return d  # fmt: skip


def quality_and_customer() -> Dashboard:
    """CSAT, NPS, FCR and QA with the answers behind them and their 95 % intervals, beside
    production. A figure on few answers moves a lot: n and the interval say how far to trust it."""
    d = _base("floorboard-quality", "Floorboard · Quality and customer",
              "Customer and quality figures beside production, with the number of answers and the 95 % interval behind each")  # fmt: skip
    big = [
        ("CSAT today (1–5)", f"floorboard:csat_mean:today{{{SITE}}}", "none", "csat_mean"),
        ("NPS today", f"floorboard:nps:today{{{SITE}}}", "none", "nps"),
        ("First-contact resolution today", f"floorboard:fcr_rate:today{{{SITE}}}", "percentunit", "fcr_rate"),
        ("QA score today", f"floorboard:qa_score:today{{{SITE}}}", "percentunit", "qa_score"),
    ]  # fmt: skip
    for i, (title, expr, unit, kpi) in enumerate(big):
        d = d.with_panel(stat(title, expr, unit, kpi, (i * 6, 0, 6, 6)))
    counts = [
        ("CSAT answers today (n)", "csat_responses"),
        ("NPS answers today (n)", "nps_responses"),
        ("FCR answers today (n)", "fcr_responses"),
        ("QA evaluations today (n)", "qa_evaluations"),
    ]
    for i, (title, rule) in enumerate(counts):
        expr = f"floorboard:{rule}:today{{{SITE}}}"
        d = d.with_panel(stat(title, expr, "none", None, (i * 6, 6, 6, 4)))
    for i, (title, kpi, unit) in enumerate((
        ("CSAT top-2 share, 95 % interval", "csat_top2_rate", "percentunit"),
        ("NPS, 95 % interval", "nps", "none"),
        ("FCR, 95 % interval", "fcr_rate", "percentunit"),
    )):  # fmt: skip
        d = d.with_panel(
            interval(title, f"floorboard:{kpi}_low95:today{{{SITE}}}",
                     f"floorboard:{kpi}_high95:today{{{SITE}}}", unit, (i * 6, 10, 6, 5))
        )  # fmt: skip
    d = d.with_panel(
        stat("Service level today", f"floorboard:site_service_level:today{{{SITE}}}",
             "percentunit", "service_level", (18, 10, 6, 5))
    )  # fmt: skip
    d = d.with_panel(
        series(
            "CSAT and NPS, last hour, beside service level",
            [
                (f"floorboard:csat_mean:mean1h{{{SITE}}}", "CSAT {{site}}"),
                (f"floorboard:nps:score1h{{{SITE}}} / 20", "NPS÷20 {{site}}"),
                (f"floorboard:site_service_level:ratio1h{{{SITE}}} * 5", "SL×5 {{site}}"),
            ],
            "none",
            (0, 15, 16, 11),
            description="One scale (0–5) for three figures: CSAT as is, NPS divided by 20, SL times 5.",
        )
    )
    d = d.with_panel(
        series(
            "Answers per hour",
            [
                (f"floorboard:csat_responses:increase1h{{{SITE}}}", "CSAT {{site}}"),
                (f"floorboard:nps_responses:increase1h{{{SITE}}}", "NPS {{site}}"),
            ],
            "none",
            (16, 15, 8, 11),
        )
    )
    return d


def pipeline_health() -> Dashboard:
    d = _base(
        "floorboard-pipeline",
        "Floorboard · Pipeline health",
        "Lag, dead letters, event rate and staleness",
    )
    d = d.with_panel(
        stat(
            "Age of newest event",
            f"floorboard:last_event:age_seconds{{{SITE}}}",
            "s",
            None,
            (0, 0, 6, 6),
        )
    )
    d = d.with_panel(
        stat("Consumer lag", "sum(floorboard:consumer_lag:max)", "none", None, (6, 0, 6, 6), "lag")
    )
    d = d.with_panel(
        stat(
            "Dead letters, 1 h",
            "sum(floorboard:dead_letters:increase1h)",
            "none",
            None,
            (12, 0, 6, 6),
            "dead letters",
        )
    )
    d = d.with_panel(
        stat(
            "Partitions owned",
            "sum(floorboard_worker_partitions)",
            "none",
            None,
            (18, 0, 6, 6),
            "partitions",
        )
    )
    d = d.with_panel(
        series(
            "Events per second by outcome",
            [("floorboard:events:rate5m", "{{outcome}}")],
            "ops",
            (0, 6, 12, 9),
        )
    )
    d = d.with_panel(
        series(
            "Dead letters by reason (per 5 min)",
            [
                (
                    "sum by (reason) (increase(floorboard_worker_dead_letters_total[5m]))",
                    "{{reason}}",
                )
            ],
            "none",
            (12, 6, 12, 9),
        )
    )
    d = d.with_panel(
        series(
            "Consumer lag by partition",
            [("floorboard:consumer_lag:max", "partition {{partition}}")],
            "none",
            (0, 15, 12, 9),
        )
    )
    d = d.with_panel(
        series(
            "Checkpoints and restores",
            [
                ("sum(rate(floorboard_worker_checkpoints_total[5m]))", "checkpoints/s"),
                ("sum(increase(floorboard_worker_restores_total[5m]))", "restores"),
                (
                    "sum(increase(floorboard_worker_checkpoint_failures_total[5m]))",
                    "checkpoint failures",
                ),
            ],
            "none",
            (12, 15, 12, 9),
        )
    )
    return d  # fmt: skip


ALL = (operations_overview, queue_detail, quality_and_customer, pipeline_health)
