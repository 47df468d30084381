"""The four dashboards. Every panel reads recording rules or contract metrics; ratios come from
sums (floorboard/dashboards/prometheus/recording.rules.yml). Each fits a 1080p TV in kiosk mode: 24
columns, at most 27 rows down (tests/dashboards/test_grafana.py), refresh every 30 s.

Each dashboard is a table of rows (panels.Row): a height, then its panels left to right."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import (
    Dashboard,
    DashboardLink,
    DatasourceVariable,
    QueryVariable,
)
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DashboardLinkType,
    VariableOption,
    VariableRefresh,
)

from floorboard.dashboards.grafana.panels import (
    DATASOURCE,
    DATASOURCE_UID,
    Interval,
    Row,
    Series,
    Stat,
    with_rows,
)
from floorboard.dashboards.prometheus.recording import name

SITE = '{site=~"$site"}'
QUEUE = '{site=~"$site", queue=~"$queue", channel=~"$channel"}'
BY_QUEUE = "{{queue}} {{channel}}"


def _variable(name: str, label: str, query: str) -> QueryVariable:
    return (
        QueryVariable(name)
        .label(label)
        .datasource(DATASOURCE)
        .query(query)
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .multi(True)
        .include_all(True)
    )


def _count(title: str, expr: str, legend: str = "{{site}}", **kw: object) -> Stat:
    return Stat(title, expr, legend=legend, decimals=0, **kw)  # type: ignore[arg-type]


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
            DatasourceVariable("datasource")
            .label("Prometheus")
            .type("prometheus")
            .current(VariableOption(text="Floorboard Prometheus", value=DATASOURCE_UID))
        )
        .with_variable(
            _variable("site", "Site", "label_values(floorboard_contacts_offered_total, site)")
        )
        # every Floorboard dashboard, keeping the time range and the variables
        .link(
            DashboardLink("Floorboard")
            .type(DashboardLinkType.DASHBOARDS)
            .tags(["floorboard"])
            .as_dropdown(False)
            .include_vars(True)
            .keep_time(True)
        )
    )


# Tiles on both the overview and the quality page.
SERVICE_LEVEL_TODAY = Stat(
    "Service level today",
    f"site:floorboard_service_level:today{SITE}",
    "percentunit",
    "service_level",
)
CSAT_TODAY = Stat("CSAT today (1–5)", f"site:floorboard_csat_score:today{SITE}", kpi="csat_mean")
NPS_TODAY = Stat("NPS today", f"site:floorboard_nps_points:today{SITE}", kpi="nps")
CSAT_ANSWERS_TODAY = _count("CSAT answers today (n)", f"site:floorboard_csat_responses:today{SITE}")

OVERVIEW = (
    Row(6, (
        SERVICE_LEVEL_TODAY,
        CSAT_TODAY,
        Stat("Abandoned today", f"site:floorboard_abandon_rate:today{SITE}", "percentunit", "abandon_rate"),
        NPS_TODAY,
    )),
    Row(5, (
        _count("Waiting now", f"sum by (site) (site_queue_channel:floorboard_contacts_waiting:sum{SITE})", kpi="waiting"),
        Stat("Longest wait", f"max by (site) (site_queue_channel:floorboard_longest_wait_seconds:max{SITE})", "s", "longest_wait_s"),
        CSAT_ANSWERS_TODAY,
        _count("Agents ready", 'sum by (site) (floorboard_agents{state="ready", site=~"$site", team=~"$team"})'),
    )),
    Row(10, (
        Series("Service level, 15 minutes", ((f"site:floorboard_service_level:ratio15m{SITE}", "{{site}}"),), "percentunit", "service_level"),
        Series("CSAT, last hour", ((f"site:floorboard_csat_score:mean1h{SITE}", "{{site}}"),), kpi="csat_mean"),
    )),
    Row(6, (
        Stat("Occupancy today", f"site:floorboard_occupancy:today{SITE}", "percentunit", "occupancy"),
        Series("Team service level (queues each team answered), 15 minutes",
               ((f"site_team:floorboard_service_level:ratio15m{SITE}", "{{team}}"),), "percentunit", "service_level",
               description="Answered within T ÷ offered over the queues the team answered contacts in during the 15 minutes", width=9),
        Series("Team occupancy, 15 minutes", ((f"site_team:floorboard_occupancy:ratio15m{SITE}", "{{team}}"),), "percentunit", "occupancy",
               description="(busy + after-contact work) ÷ (ready + busy + after-contact work); not-ready time is left out", width=9),
    )),
)  # fmt: skip


def _answered_wait(quantile: str, name: str) -> tuple[str, str]:
    bucket = f"floorboard_answered_wait_seconds_bucket{QUEUE}"
    expr = f"histogram_quantile({quantile}, sum by (le, queue, channel) (increase({bucket}[15m])))"
    return expr, f"{name} {BY_QUEUE}"


QUEUE_DETAIL = (
    Row(6, (
        Stat("SL 15 min", f"site_queue_channel:floorboard_service_level:ratio15m{QUEUE}", "percentunit", "service_level", BY_QUEUE),
        Stat("Abandoned 15 min", f"site_queue_channel:floorboard_abandon_rate:ratio15m{QUEUE}", "percentunit", "abandon_rate", BY_QUEUE),
        _count("Waiting", f"site_queue_channel:floorboard_contacts_waiting:sum{QUEUE}", BY_QUEUE, kpi="waiting"),
        Stat("Longest wait", f"site_queue_channel:floorboard_longest_wait_seconds:max{QUEUE}", "s", "longest_wait_s", BY_QUEUE),
    )),
    Row(8, (
        Series("Offered per 15 min", ((f"site_queue_channel:floorboard_contacts_offered:increase15m{QUEUE}", BY_QUEUE),)),
        Series("Wait p50 / p95 (answered, 15 min)", (_answered_wait("0.5", "p50"), _answered_wait("0.95", "p95")), "s"),
    )),
    Row(8, (
        Series("ASA, 15 min", ((f"site_queue_channel:floorboard_answered_wait_seconds:mean15m{QUEUE}", BY_QUEUE),), "s", "asa_s"),
        Series("Service level and abandonment, 1 h", (
            (f"site_queue_channel:floorboard_service_level:ratio1h{QUEUE}", f"SL {BY_QUEUE}"),
            (f"site_queue_channel:floorboard_abandon_rate:ratio1h{QUEUE}", f"abandoned {BY_QUEUE}"),
        ), "percentunit"),
    )),
    Row(5, (
        Stat("Resolve time today", f"site_queue_channel:floorboard_resolve_seconds:today{QUEUE}", "s", legend=BY_QUEUE),
        _count("Resolved today", f"sum by (queue, channel) (floorboard_contacts_resolved_total{QUEUE})", BY_QUEUE),
        Series("Resolve time, 1 h (receipt to resolution, elapsed)",
               ((f"site_queue_channel:floorboard_resolve_seconds:mean1h{QUEUE}", BY_QUEUE),), "s"),
    )),
)  # fmt: skip


def _interval(title: str, kpi: str, unit: str) -> Interval:
    low, high = name(f"{kpi}_low95", "today"), name(f"{kpi}_high95", "today")
    return Interval(title, f"{low}{SITE}", f"{high}{SITE}", unit)


QUALITY = (
    Row(6, (
        CSAT_TODAY,
        NPS_TODAY,
        Stat("First-contact resolution today", f"site:floorboard_fcr:today{SITE}", "percentunit", "fcr_rate"),
        Stat("QA score today", f"site:floorboard_qa_points:today{SITE}", "percentunit", "qa_score"),
    )),
    Row(4, (
        CSAT_ANSWERS_TODAY,
        _count("NPS answers today (n)", f"site:floorboard_nps_responses:today{SITE}"),
        _count("FCR answers today (n)", f"site:floorboard_fcr_responses:today{SITE}"),
        _count("QA evaluations today (n)", f"site:floorboard_qa_evaluations:today{SITE}"),
    )),
    Row(5, (
        _interval("CSAT top-2 share, 95 % interval", "csat_top2_rate", "percentunit"),
        _interval("NPS, 95 % interval", "nps", "none"),
        _interval("FCR, 95 % interval", "fcr_rate", "percentunit"),
        SERVICE_LEVEL_TODAY,
    )),
    Row(11, (
        # one unit per axis: each figure on its own chart
        Series("CSAT, last hour (1–5)", ((f"site:floorboard_csat_score:mean1h{SITE}", "CSAT {{site}}"),), kpi="csat_mean", width=6),
        Series("NPS, last hour", ((f"site:floorboard_nps_points:score1h{SITE}", "NPS {{site}}"),), kpi="nps", width=6),
        Series("Service level, last hour", ((f"site:floorboard_service_level:ratio1h{SITE}", "SL {{site}}"),), "percentunit", "service_level", width=6),
        Series("Answers per hour", (
            (f"site:floorboard_csat_responses:increase1h{SITE}", "CSAT {{site}}"),
            (f"site:floorboard_nps_responses:increase1h{SITE}", "NPS {{site}}"),
        ), width=6),
    )),
)  # fmt: skip

PIPELINE = (
    Row(6, (
        # red at the alert lines: FloorboardFeedStale (600 s), FloorboardConsumerLagGrowing
        # (1,000 records), FloorboardDeadLettersRising (10 in 10 minutes)
        Stat("Age of newest event", f"site:floorboard_worker_last_event_age_seconds:min{SITE}", "s", decimals=0, limits=(120, 600)),
        _count("Consumer lag", "sum(topic_partition:floorboard_worker_consumer_lag:max)", "lag", limits=(100, 1000)),
        _count("Dead letters, 1 h", "sum(reason:floorboard_worker_dead_letters:increase1h)", "dead letters", limits=(1, 10)),
        _count("Partitions owned", "sum(floorboard_worker_partitions)", "partitions"),
    )),
    Row(9, (
        Series("Events per second by outcome", (("outcome:floorboard_worker_events:rate5m", "{{outcome}}"),), "ops"),
        Series("Dead letters by reason (per 5 min)", (("sum by (reason) (increase(floorboard_worker_dead_letters_total[5m]))", "{{reason}}"),)),
    )),
    Row(9, (
        Series("Consumer lag by partition", (("topic_partition:floorboard_worker_consumer_lag:max", "partition {{partition}}"),)),
        Series("Checkpoints and restores (per 5 min)", (
            ("sum(increase(floorboard_worker_checkpoints_total[5m]))", "checkpoints"),
            ("sum(increase(floorboard_worker_restores_total[5m]))", "restores"),
            ("sum(increase(floorboard_worker_checkpoint_failures_total[5m]))", "checkpoint failures"),
        )),
    )),
)  # fmt: skip


def operations_overview() -> Dashboard:
    """Every site on one page: service level, abandonment and CSAT side by side."""
    board = _base("floorboard-overview", "Floorboard · Operations overview",
                  "All sites: production and customer figures side by side")  # fmt: skip
    teams = 'label_values(floorboard_agents{site=~"$site"}, team)'
    return with_rows(board.with_variable(_variable("team", "Team", teams)), OVERVIEW)


def queue_detail() -> Dashboard:
    board = _base("floorboard-queue", "Floorboard · Queue detail",
                  "One queue: volumes, waits, SL and customers")  # fmt: skip
    queues = 'label_values(floorboard_contacts_offered_total{site=~"$site"}, queue)'
    channels = (
        'label_values(floorboard_contacts_offered_total{site=~"$site", queue=~"$queue"}, channel)'
    )
    board = board.with_variable(_variable("queue", "Queue", queues))
    return with_rows(board.with_variable(_variable("channel", "Channel", channels)), QUEUE_DETAIL)


def quality_and_customer() -> Dashboard:
    """CSAT, NPS, FCR and QA with the answers behind them and their 95 % intervals, beside
    production. A figure on few answers moves a lot: n and the interval say how far to trust it."""
    board = _base("floorboard-quality", "Floorboard · Quality and customer",
                  "Customer and quality figures beside production, with the number of answers and the 95 % interval behind each")  # fmt: skip
    return with_rows(board, QUALITY)


def pipeline_health() -> Dashboard:
    board = _base("floorboard-pipeline", "Floorboard · Pipeline health",
                  "Lag, dead letters, event rate and staleness")  # fmt: skip
    return with_rows(board, PIPELINE)


ALL = (operations_overview, queue_detail, quality_and_customer, pipeline_health)
