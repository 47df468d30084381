"""Canonical Floorboard events, version 1.

Every event is a JSON object with ``v`` (schema version), ``id``, ``type``, ``ts`` (event time as
integer epoch milliseconds, UTC) and ``site``, plus the keys it concerns. ``docs/events.md`` is the
human-readable form of this module.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import msgspec

SCHEMA_VERSION = 1

Channel = Literal["voice", "chat", "messaging", "email"]
CHANNELS: tuple[Channel, ...] = ("voice", "chat", "messaging", "email")
ASYNC_CHANNELS: frozenset[str] = frozenset({"email", "messaging"})

AgentStateName = Literal["logged_in", "ready", "not_ready", "busy", "acw", "logged_out"]
AGENT_STATES: tuple[AgentStateName, ...] = (
    "logged_in",
    "ready",
    "not_ready",
    "busy",
    "acw",
    "logged_out",
)

# Every string and number has a bound, so no event can grow state or overflow the checkpoint's
# 64-bit integers (sums of milliseconds and milli-points): docs/events.md lists them.
MAX_NAME_LENGTH = 128
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
EpochMs = Annotated[int, msgspec.Meta(ge=0, le=32503680000000)]  # year 1970..3000
Seconds = Annotated[float, msgspec.Meta(ge=0, le=7 * 86400)]
MAX_QA_POINTS = 1_000_000.0
MAX_QA_ITEMS = 10_000
MAX_RESPONDENTS = 1_000_000
MAX_AGENT_QUEUES = 256


class EventInvalid(ValueError):
    """A field broke a rule that the type system alone cannot state."""


class EventOutOfRange(EventInvalid):
    """A number outside its field's range; the message starts with ``OUT_OF_RANGE``."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{OUT_OF_RANGE}{message}")


# msgspec turns errors raised in __post_init__ into its own ValidationError, keeping the message.
OUT_OF_RANGE = "out of range: "


def _finite(field: str, value: float) -> None:
    if not math.isfinite(value):
        raise EventOutOfRange(f"{field}: must be a finite number")


class Base(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type"):
    v: Literal[1]
    id: Name
    ts: EpochMs
    site: Name


class ContactBase(Base, frozen=True):
    contact_id: Name
    queue: Name
    channel: Channel


class ContactOffered(ContactBase, frozen=True, tag="contact.offered"):
    """A contact entered the queue (for async channels: the item was received)."""


class ContactAnswered(ContactBase, frozen=True, tag="contact.answered"):
    agent: Name
    team: Name
    wait_s: Seconds

    def __post_init__(self) -> None:
        _finite("wait_s", self.wait_s)


class ContactAbandoned(ContactBase, frozen=True, tag="contact.abandoned"):
    wait_s: Seconds

    def __post_init__(self) -> None:
        _finite("wait_s", self.wait_s)


class ContactTransferred(ContactBase, frozen=True, tag="contact.transferred"):
    agent: Name
    team: Name
    to_queue: Name


class ContactCallbackRequested(ContactBase, frozen=True, tag="contact.callback_requested"):
    wait_s: Seconds

    def __post_init__(self) -> None:
        _finite("wait_s", self.wait_s)


class ContactEnded(ContactBase, frozen=True, tag="contact.ended"):
    agent: Name
    team: Name
    talk_s: Seconds
    hold_s: Seconds

    def __post_init__(self) -> None:
        _finite("talk_s", self.talk_s)
        _finite("hold_s", self.hold_s)


class ContactWrapupEnded(ContactBase, frozen=True, tag="contact.wrapup_ended"):
    agent: Name
    team: Name
    acw_s: Seconds

    def __post_init__(self) -> None:
        _finite("acw_s", self.acw_s)


class ContactFirstResponse(ContactBase, frozen=True, tag="contact.first_response"):
    """First reply to an email or messaging item. ``received_ts`` is when the item arrived."""

    agent: Name
    team: Name
    received_ts: EpochMs

    def __post_init__(self) -> None:
        if self.channel not in ASYNC_CHANNELS:
            raise EventInvalid("channel: first_response is only for email and messaging")
        if self.received_ts > self.ts:
            raise EventInvalid("received_ts: must not be after ts")


class ContactResolved(ContactBase, frozen=True, tag="contact.resolved"):
    agent: Name
    team: Name
    received_ts: EpochMs

    def __post_init__(self) -> None:
        if self.channel not in ASYNC_CHANNELS:
            raise EventInvalid("channel: resolved is only for email and messaging")
        if self.received_ts > self.ts:
            raise EventInvalid("received_ts: must not be after ts")


class AgentState(Base, frozen=True, tag="agent.state"):
    agent: Name
    team: Name
    state: AgentStateName
    reason: Name | None = None
    queues: Annotated[tuple[Name, ...], msgspec.Meta(max_length=MAX_AGENT_QUEUES)] = ()

    def __post_init__(self) -> None:
        if self.state == "not_ready" and self.reason is None:
            raise EventInvalid("reason: required when state is not_ready")
        if self.state != "not_ready" and self.reason is not None:
            raise EventInvalid("reason: only allowed when state is not_ready")


class SurveyResponse(Base, frozen=True, tag="survey.response"):
    contact_id: Name
    csat: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    nps: Annotated[int, msgspec.Meta(ge=0, le=10)] | None = None
    fcr: bool | None = None
    ces: Annotated[int, msgspec.Meta(ge=1, le=7)] | None = None

    def __post_init__(self) -> None:
        if self.csat is None and self.nps is None and self.fcr is None and self.ces is None:
            raise EventInvalid("csat/nps/fcr/ces: at least one answer is required")


class QaEvaluation(Base, frozen=True, tag="qa.evaluation"):
    contact_id: Name
    score: Annotated[float, msgspec.Meta(ge=0, le=MAX_QA_POINTS)]
    max_score: Annotated[float, msgspec.Meta(gt=0, le=MAX_QA_POINTS)]
    items_passed: Annotated[int, msgspec.Meta(ge=0, le=MAX_QA_ITEMS)] = 0
    items_failed: Annotated[int, msgspec.Meta(ge=0, le=MAX_QA_ITEMS)] = 0

    def __post_init__(self) -> None:
        _finite("score", self.score)
        _finite("max_score", self.max_score)
        if self.score > self.max_score:
            raise EventInvalid("score: must not exceed max_score")


PulseMetric = Literal["employee_satisfaction", "sick_leave_rate", "work_environment"]
PULSE_METRICS: tuple[PulseMetric, ...] = (
    "employee_satisfaction",
    "sick_leave_rate",
    "work_environment",
)


class TeamPulse(Base, frozen=True, tag="team.pulse"):
    """A team wellbeing figure: satisfaction and environment on 1-5; sick leave a 0-1 rate."""

    team: Name
    metric: PulseMetric
    value: float
    respondents: Annotated[int, msgspec.Meta(ge=0, le=MAX_RESPONDENTS)] = 0

    def __post_init__(self) -> None:
        _finite("value", self.value)
        if self.metric == "sick_leave_rate" and not 0 <= self.value <= 1:
            raise EventOutOfRange("value: sick_leave_rate must be within 0..1")
        if self.metric != "sick_leave_rate" and not 1 <= self.value <= 5:
            raise EventOutOfRange(f"value: {self.metric} must be within 1..5")


ContactEvent = (
    ContactOffered
    | ContactAnswered
    | ContactAbandoned
    | ContactTransferred
    | ContactCallbackRequested
    | ContactEnded
    | ContactWrapupEnded
    | ContactFirstResponse
    | ContactResolved
)
Event = ContactEvent | AgentState | SurveyResponse | QaEvaluation | TeamPulse

EVENT_TYPES: tuple[type[Base], ...] = (
    ContactOffered,
    ContactAnswered,
    ContactAbandoned,
    ContactTransferred,
    ContactCallbackRequested,
    ContactEnded,
    ContactWrapupEnded,
    ContactFirstResponse,
    ContactResolved,
    AgentState,
    SurveyResponse,
    QaEvaluation,
    TeamPulse,
)
TYPE_NAMES: frozenset[str] = frozenset(str(t.__struct_config__.tag) for t in EVENT_TYPES)


def event_type(event: Event) -> str:
    return str(event.__struct_config__.tag)


def partition_key(event: Event) -> str:
    """The Kafka key an event is routed by (see docs/architecture.md)."""
    if isinstance(event, AgentState | TeamPulse):
        return f"{event.site}/team/{event.team}"
    return f"{event.site}/contact/{event.contact_id}"
