"""The metric contract: every name, its help text and where its value comes from.

One module serves the collectors, docs/metrics.md, the rules' tests and the Grafana dashboards.
Names follow Prometheus' guide: ``floorboard_`` prefix, base units (seconds), ``_total`` counters.
Pipeline metrics of the worker itself (``floorboard_worker_*``) are listed in PIPELINE.
"""

from __future__ import annotations

# Counters per (site, queue, channel, partition): metric name -> vector field (day to date).
QUEUE_COUNTERS: dict[str, str] = {
    "floorboard_contacts_offered": "offered",
    "floorboard_contacts_answered": "answered",
    "floorboard_contacts_answered_within_sl": "answered_within_sl",
    "floorboard_contacts_abandoned": "abandoned",
    "floorboard_contacts_abandoned_within_sl": "abandoned_within_sl",
    "floorboard_contacts_short_abandoned": "short_abandoned",
    "floorboard_contacts_transferred": "transferred",
    "floorboard_callbacks_requested": "callbacks",
    "floorboard_contacts_handled": "handled",
    "floorboard_first_responses": "first_responses",
    "floorboard_first_responses_within_sla": "first_responses_within_sla",
}
# Counters per (site, team, partition): work the team did.
TEAM_COUNTERS: dict[str, str] = {
    "floorboard_team_contacts_answered": "answered",
    "floorboard_team_contacts_handled": "handled",
}
ANSWERED_WAIT = "floorboard_answered_wait_seconds"
ABANDONED_WAIT = "floorboard_abandoned_wait_seconds"
TALK_HOLD = "floorboard_talk_hold_seconds"
ACW = "floorboard_after_contact_work_seconds"
HISTOGRAMS = (ANSWERED_WAIT, ABANDONED_WAIT, TALK_HOLD, ACW)
WAITING = "floorboard_contacts_waiting"
OLDEST_WAITING = "floorboard_oldest_waiting_contact_timestamp_seconds"
BACKLOG = "floorboard_backlog_items"
OLDEST_BACKLOG = "floorboard_oldest_backlog_item_timestamp_seconds"
SURVEY_RESPONSES = "floorboard_survey_responses"
SURVEY_SCORE_SUM = "floorboard_survey_score_sum"
QA_EVALUATIONS = "floorboard_qa_evaluations"
QA_SCORE = "floorboard_qa_points"
AGENTS = "floorboard_agents"
SL_THRESHOLD = "floorboard_sl_threshold_seconds"
TARGET = "floorboard_target"

# Pipeline metrics served by streams/worker/metrics.py.
PIPELINE: dict[str, str] = {
    "floorboard_worker_records_total": "Source records applied (each holds one event or a batch)",
    "floorboard_worker_events_total": "Decoded events by engine outcome (label outcome)",
    "floorboard_worker_dead_letters_total": "Events sent to the dead-letter topic (label reason)",
    "floorboard_worker_duplicates_total": "Events dropped as duplicates of an id already counted",
    "floorboard_worker_last_event_timestamp_seconds": "Newest event time per site on this worker",
    "floorboard_worker_consumer_lag": "Records behind the fetch high-water mark per partition",
    "floorboard_worker_partitions": "Source partitions owned",
    "floorboard_worker_checkpoints_total": "Checkpoints written",
    "floorboard_worker_checkpoint_failures_total": "Checkpoint attempts that failed (retried)",
    "floorboard_worker_restores_total": "Partitions restored from the checkpoint topic",
    "floorboard_worker_seeks_total": "Consumer seeks to the checkpointed position",
}

HELP: dict[str, str] = {
    "floorboard_contacts_offered": "Contacts offered to the queue, today (event time, local day)",
    "floorboard_contacts_answered": "Contacts answered by an agent, today",
    "floorboard_contacts_answered_within_sl": "Answered within the queue's SL threshold, today",
    "floorboard_contacts_abandoned": "Contacts abandoned while waiting, today",
    "floorboard_contacts_abandoned_within_sl": "Contacts abandoned within the SL threshold, today",
    "floorboard_contacts_short_abandoned": "Abandons within the short-abandon threshold, today",
    "floorboard_contacts_transferred": "Contacts transferred by an agent, today",
    "floorboard_callbacks_requested": "Customers who left the queue asking for a callback, today",
    "floorboard_contacts_handled": "Conversations ended, today",
    "floorboard_first_responses": "First responses to email and messaging items, today",
    "floorboard_first_responses_within_sla": "First responses within the response SLA, today",
    "floorboard_team_contacts_answered": "Contacts the team answered, today",
    "floorboard_team_contacts_handled": "Conversations the team ended, today",
    ANSWERED_WAIT: "Queue wait of answered contacts, today; a bucket at every SL threshold",
    ABANDONED_WAIT: "Queue wait of abandoned contacts, today",
    TALK_HOLD: "Talk plus hold time of ended conversations, today",
    ACW: "After-contact work time, today",
    WAITING: "Contacts waiting in the queue now",
    OLDEST_WAITING: "Unix time the oldest waiting contact entered the queue",
    BACKLOG: "Open email and messaging items now",
    OLDEST_BACKLOG: "Unix time the oldest open item arrived",
    SURVEY_RESPONSES: "Survey answers by kind (csat, nps, fcr, ces) and bucket, today",
    SURVEY_SCORE_SUM: "Sum of CSAT or CES scores, today (divide by responses for the mean)",
    QA_EVALUATIONS: "QA evaluations, today",
    QA_SCORE: "QA points scored and possible (label part), today",
    AGENTS: "Agents per team and state now",
    SL_THRESHOLD: "Service-level threshold per queue and channel, with its variant and le label",
    TARGET: "Configured KPI target levels (warn is the target, alert the red line)",
}


def all_names() -> set[str]:
    """Every exposed series name, as PromQL sees it (counters with _total, histogram parts)."""
    names = {f"{name}_total" for name in (*QUEUE_COUNTERS, *TEAM_COUNTERS)}
    names |= {f"{h}_{part}" for h in HISTOGRAMS for part in ("bucket", "sum", "count")}
    names |= {
        f"{name}_total" for name in (SURVEY_RESPONSES, SURVEY_SCORE_SUM, QA_EVALUATIONS, QA_SCORE)
    }
    names |= {WAITING, OLDEST_WAITING, BACKLOG, OLDEST_BACKLOG, AGENTS, SL_THRESHOLD, TARGET}
    return names | set(PIPELINE)
