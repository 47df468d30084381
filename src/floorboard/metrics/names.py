"""The metric contract: every name with its type, labels, help text and engine source.

One module serves the collectors, docs/metrics.md (a test compares its tables with CONTRACT), the
rules' tests and the Grafana dashboards. Names follow Prometheus' guides: ``floorboard_`` prefix,
base units (seconds), ``_total`` on counters. The worker's own pipeline metrics
(``floorboard_worker_*``, served by floorboard.streams.worker.metrics) are part of the contract
too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


@dataclass(frozen=True, slots=True)
class Spec:
    """One metric family. Counter names carry their ``_total``; ``le`` is not listed in labels."""

    name: str
    kind: Kind
    labels: tuple[str, ...]
    help: str
    field: str = ""  # the engine vector field a counter reads, where there is one

    @property
    def series(self) -> tuple[str, ...]:
        """The names PromQL sees."""
        if self.kind is Kind.HISTOGRAM:
            return tuple(f"{self.name}_{part}" for part in ("bucket", "sum", "count"))
        return (self.name,)


# Day-to-date state of one source partition (see docs/metrics.md, "Counter semantics").
QUEUE_LABELS = ("site", "queue", "channel", "partition")
TEAM_LABELS = ("site", "team", "partition")
# Survey and QA answers are labelled by site only: their queue is known for sure only once the
# contact's last answer is in, and moving them between queues would make counters go down.
QUALITY_LABELS = ("site", "partition")
LIVE_LABELS = ("site", "queue", "channel")


def _counter(name: str, field: str, help_text: str, labels: tuple[str, ...]) -> Spec:
    return Spec(f"{name}_total", Kind.COUNTER, labels, help_text, field)


QUEUE_COUNTERS: tuple[Spec, ...] = tuple(
    _counter(name, field, help_text, QUEUE_LABELS)
    for name, field, help_text in (
        ("floorboard_contacts_offered", "offered", "Contacts offered to the queue, today"),
        ("floorboard_contacts_answered", "answered", "Contacts answered by an agent, today"),
        (
            "floorboard_contacts_answered_within_sl",
            "answered_within_sl",
            "Answered within the queue's SL threshold, today",
        ),
        ("floorboard_contacts_abandoned", "abandoned", "Contacts abandoned while waiting, today"),
        (
            "floorboard_contacts_abandoned_within_sl",
            "abandoned_within_sl",
            "Contacts abandoned within the SL threshold, today",
        ),
        (
            "floorboard_contacts_short_abandoned",
            "short_abandoned",
            "Abandons within the short-abandon threshold, today",
        ),
        (
            "floorboard_contacts_transferred",
            "transferred",
            "Contacts transferred by an agent, today",
        ),
        (
            "floorboard_callbacks_requested",
            "callbacks",
            "Customers who left the queue asking for a callback, today",
        ),
        ("floorboard_contacts_handled", "handled", "Conversations ended, today"),
        (
            "floorboard_first_responses",
            "first_responses",
            "First responses to email and messaging items, today",
        ),
        (
            "floorboard_first_responses_within_sla",
            "first_responses_within_sla",
            "First responses within the response SLA, today",
        ),
        ("floorboard_contacts_resolved", "resolved", "Email and messaging items resolved, today"),
    )
)
# Σ(resolved − received) of the resolved items: ÷ floorboard_contacts_resolved_total is the
# resolve time. The engine sums milliseconds; the collector exports seconds.
RESOLVE_SECONDS = Spec(
    "floorboard_resolve_seconds_total",
    Kind.COUNTER,
    QUEUE_LABELS,
    "Time from receipt to resolution of the items resolved, summed, today",
    "resolve_ms",
)
TEAM_COUNTERS: tuple[Spec, ...] = (
    _counter(
        "floorboard_team_contacts_answered", "answered", "Contacts the team answered, today",
        TEAM_LABELS,
    ),
    _counter(
        "floorboard_team_contacts_handled", "handled", "Conversations the team ended, today",
        TEAM_LABELS,
    ),
)  # fmt: skip
# Which queues a team answered, and how many: a team's service level is that of those queues.
TEAM_QUEUE_ANSWERED = Spec(
    "floorboard_team_queue_contacts_answered_total",
    Kind.COUNTER,
    ("site", "team", "queue", "channel", "partition"),
    "Contacts the team answered per queue and channel, today",
)
# Agent time per state (ready, not_ready, busy, acw, logged_in) summed over the team's agents:
# occupancy is (busy + acw) ÷ (ready + busy + acw).
AGENT_STATE_SECONDS = Spec(
    "floorboard_agent_state_seconds_total",
    Kind.COUNTER,
    ("site", "team", "state", "partition"),
    "Time the team's agents spent in each state, today",
)

ANSWERED_WAIT = Spec(
    "floorboard_answered_wait_seconds",
    Kind.HISTOGRAM,
    QUEUE_LABELS,
    "Queue wait of answered contacts, today; a bucket at every SL threshold",
)
ABANDONED_WAIT = Spec(
    "floorboard_abandoned_wait_seconds",
    Kind.HISTOGRAM,
    QUEUE_LABELS,
    "Queue wait of abandoned contacts, today",
)
TALK_HOLD = Spec(
    "floorboard_talk_hold_seconds",
    Kind.HISTOGRAM,
    QUEUE_LABELS,
    "Talk plus hold time of ended conversations, today",
)
ACW = Spec(
    "floorboard_after_contact_work_seconds",
    Kind.HISTOGRAM,
    QUEUE_LABELS,
    "After-contact work time, today",
)
HISTOGRAMS: tuple[Spec, ...] = (ANSWERED_WAIT, ABANDONED_WAIT, TALK_HOLD, ACW)

WAITING = Spec(
    "floorboard_contacts_waiting", Kind.GAUGE, LIVE_LABELS, "Contacts waiting in the queue now"
)
OLDEST_WAITING = Spec(
    "floorboard_oldest_waiting_contact_timestamp_seconds",
    Kind.GAUGE,
    LIVE_LABELS,
    "Unix time the oldest waiting contact entered the queue",
)
BACKLOG = Spec(
    "floorboard_backlog_items", Kind.GAUGE, LIVE_LABELS, "Open email and messaging items now"
)
OLDEST_BACKLOG = Spec(
    "floorboard_oldest_backlog_item_timestamp_seconds",
    Kind.GAUGE,
    LIVE_LABELS,
    "Unix time the oldest open item arrived",
)
LIVE: tuple[Spec, ...] = (WAITING, OLDEST_WAITING, BACKLOG, OLDEST_BACKLOG)

SURVEY_RESPONSES = Spec(
    "floorboard_survey_responses_total",
    Kind.COUNTER,
    (*QUALITY_LABELS, "kind", "bucket"),
    "Survey answers by kind (csat, nps, fcr, ces) and bucket, today",
)
SURVEY_SCORE_SUM = Spec(
    "floorboard_survey_score_sum_total",
    Kind.COUNTER,
    (*QUALITY_LABELS, "kind"),
    "Sum of CSAT or CES scores, today (divide by responses for the mean)",
)
QA_EVALUATIONS = Spec(
    "floorboard_qa_evaluations_total", Kind.COUNTER, QUALITY_LABELS, "QA evaluations, today"
)
QA_POINTS = Spec(
    "floorboard_qa_points_total",
    Kind.COUNTER,
    (*QUALITY_LABELS, "part"),
    "QA points scored and possible (label part), today",
)
QUALITY: tuple[Spec, ...] = (SURVEY_RESPONSES, SURVEY_SCORE_SUM, QA_EVALUATIONS, QA_POINTS)

AGENTS = Spec(
    "floorboard_agents", Kind.GAUGE, ("site", "team", "state"), "Agents per team and state now"
)
SL_THRESHOLD = Spec(
    "floorboard_sl_threshold_seconds",
    Kind.GAUGE,
    ("site", "queue", "channel", "variant", "threshold_le"),
    "Service-level threshold per queue and channel, with its variant and the matching bucket's le",
)
# One family per unit (Prometheus: one unit per metric); every KPI target belongs to exactly one.
TARGET_LABELS = ("site", "queue", "kpi", "level")
TARGET_RATIO = Spec(
    "floorboard_target_ratio",
    Kind.GAUGE,
    TARGET_LABELS,
    "Configured targets of ratio KPIs, 0 to 1 (warn is the target, alert the red line)",
)
TARGET_SECONDS = Spec(
    "floorboard_target_seconds",
    Kind.GAUGE,
    TARGET_LABELS,
    "Configured targets of duration KPIs in seconds (warn is the target, alert the red line)",
)
TARGET_SCORE = Spec(
    "floorboard_target_score",
    Kind.GAUGE,
    TARGET_LABELS,
    "Configured targets of 1-to-5 survey means (warn is the target, alert the red line)",
)
TARGET_NPS = Spec(
    "floorboard_target_nps_points",
    Kind.GAUGE,
    TARGET_LABELS,
    "Configured NPS targets, -100 to 100 (warn is the target, alert the red line)",
)
TARGET_CONTACTS = Spec(
    "floorboard_target_contacts",
    Kind.GAUGE,
    TARGET_LABELS,
    "Configured targets of contact counts (warn is the target, alert the red line)",
)
TARGETS: tuple[Spec, ...] = (
    TARGET_RATIO,
    TARGET_SECONDS,
    TARGET_SCORE,
    TARGET_NPS,
    TARGET_CONTACTS,
)
# The family of each configurable KPI (floorboard.config.DEFAULT_TARGETS; a test keeps them equal).
TARGET_FAMILY: dict[str, Spec] = {
    **dict.fromkeys(
        ("service_level", "abandon_rate", "response_sla_rate", "csat_top2", "fcr_rate",
         "qa_score", "occupancy", "sick_leave_rate"),
        TARGET_RATIO,
    ),
    **dict.fromkeys(("longest_wait_s", "asa_s", "aht_s"), TARGET_SECONDS),
    **dict.fromkeys(("csat_mean", "ces_mean", "employee_satisfaction"), TARGET_SCORE),
    "nps": TARGET_NPS,
    "waiting": TARGET_CONTACTS,
}  # fmt: skip
SITE_OPEN = Spec(
    "floorboard_site_open",
    Kind.GAUGE,
    ("site",),
    "Whether the site is open now by its configured business hours",
)
BUILD_INFO = Spec(
    "floorboard_build_info",
    Kind.GAUGE,
    ("version", "python_version", "engine"),
    "Always 1; the running Floorboard version, Python version and engine build as labels",
)
CONFIG: tuple[Spec, ...] = (SL_THRESHOLD, *TARGETS, SITE_OPEN)

# The worker's own pipeline metrics, served by floorboard/streams/worker/metrics.py.
WORKER_RECORDS = Spec(
    "floorboard_worker_records_total",
    Kind.COUNTER,
    (),
    "Source records applied (each holds one event or a batch)",
)
WORKER_EVENTS = Spec(
    "floorboard_worker_events_total", Kind.COUNTER, ("outcome",), "Decoded events by engine outcome"
)
WORKER_DEAD_LETTERS = Spec(
    "floorboard_worker_dead_letters_total",
    Kind.COUNTER,
    ("reason",),
    "Events sent to the dead-letter topic",
)
WORKER_DUPLICATES = Spec(
    "floorboard_worker_duplicates_total",
    Kind.COUNTER,
    (),
    "Events dropped as duplicates of an event id already counted",
)
WORKER_LAST_EVENT = Spec(
    "floorboard_worker_last_event_timestamp_seconds",
    Kind.GAUGE,
    ("site",),
    "Newest event time per site on this worker's partitions",
)
WORKER_CONSUMER_LAG = Spec(
    "floorboard_worker_consumer_lag",
    Kind.GAUGE,
    ("topic", "partition"),
    "Records behind the fetch high-water mark per source partition",
)
WORKER_PARTITIONS = Spec("floorboard_worker_partitions", Kind.GAUGE, (), "Source partitions owned")
WORKER_CHECKPOINTS = Spec(
    "floorboard_worker_checkpoints_total", Kind.COUNTER, (), "Checkpoints written"
)
WORKER_CHECKPOINT_FAILURES = Spec(
    "floorboard_worker_checkpoint_failures_total",
    Kind.COUNTER,
    (),
    "Checkpoint attempts that failed and will be retried",
)
WORKER_RESTORES = Spec(
    "floorboard_worker_restores_total",
    Kind.COUNTER,
    (),
    "Partitions restored from the checkpoint topic",
)
WORKER_SEEKS = Spec(
    "floorboard_worker_seeks_total", Kind.COUNTER, (), "Consumer seeks to the checkpointed position"
)
WORKER_BATCH_DURATION = Spec(
    "floorboard_worker_batch_duration_seconds",
    Kind.HISTOGRAM,
    (),
    "Time to apply one batch of source records, dead letters and change-driven publishing included",
)
WORKER_EVENT_DELAY = Spec(
    "floorboard_worker_event_delay_seconds",
    Kind.HISTOGRAM,
    (),
    "Event time to applied on this worker (wall clock), per applied event",
)
WORKER_SNAPSHOT_DURATION = Spec(
    "floorboard_worker_snapshot_duration_seconds",
    Kind.HISTOGRAM,
    (),
    "Time to read one partition's state into its snapshot records and queue them for sending",
)
WORKER_READY = Spec(
    "floorboard_worker_ready", Kind.GAUGE, (), "1 when every readiness condition holds (/readyz)"
)
WORKER_READY_CONDITION = Spec(
    "floorboard_worker_ready_condition",
    Kind.GAUGE,
    ("condition",),
    "1 when the readiness condition holds: partitions, broker, lag, checkpoints",
)
SOURCE_RESETS = Spec(
    "floorboard_source_resets_total",
    Kind.COUNTER,
    ("topic",),
    "Times a source partition started over below the checkpointed position (broker restart, "
    "topic recreated)",
)
PIPELINE: tuple[Spec, ...] = (
    WORKER_RECORDS, WORKER_EVENTS, WORKER_DEAD_LETTERS, WORKER_DUPLICATES, WORKER_LAST_EVENT,
    WORKER_CONSUMER_LAG, WORKER_PARTITIONS, WORKER_CHECKPOINTS, WORKER_CHECKPOINT_FAILURES,
    WORKER_RESTORES, WORKER_SEEKS, WORKER_BATCH_DURATION, WORKER_EVENT_DELAY,
    WORKER_SNAPSHOT_DURATION, BUILD_INFO, WORKER_READY, WORKER_READY_CONDITION, SOURCE_RESETS,
)  # fmt: skip

# The source adapters' own metrics, served by `floorboard ingest … --metrics` (floorboard/sources).
INGEST_RECORDS = Spec(
    "floorboard_ingest_records_total",
    Kind.COUNTER,
    ("source", "outcome", "reason"),
    "Source records read by an ingest adapter: mapped, ignored or rejected, with the reason",
)
ADAPTERS: tuple[Spec, ...] = (INGEST_RECORDS,)

KPI: tuple[Spec, ...] = (
    *QUEUE_COUNTERS, RESOLVE_SECONDS, *TEAM_COUNTERS, TEAM_QUEUE_ANSWERED, AGENT_STATE_SECONDS,
    *HISTOGRAMS, *LIVE, *QUALITY, AGENTS, *CONFIG,
)  # fmt: skip
# What a worker serves; the adapters (`floorboard ingest`) serve ADAPTERS on their own.
WORKER: tuple[Spec, ...] = (*KPI, *PIPELINE)
CONTRACT: tuple[Spec, ...] = (*WORKER, *ADAPTERS)
BY_NAME: dict[str, Spec] = {spec.name: spec for spec in CONTRACT}

# Closed label values, exported even at zero where the collector knows them.
SURVEY_BUCKETS: tuple[tuple[str, str], ...] = (
    ("csat", "top2"),
    ("csat", "other"),
    ("nps", "promoter"),
    ("nps", "passive"),
    ("nps", "detractor"),
    ("fcr", "yes"),
    ("fcr", "no"),
    ("ces", "all"),
)


def all_names() -> set[str]:
    """Every exposed series name, as PromQL sees it (counters with _total, histogram parts)."""
    return {name for spec in CONTRACT for name in spec.series}
