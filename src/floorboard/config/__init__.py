"""The one configuration file: sites, queues, targets, SL variants, business hours, lateness.

Loaded from YAML and validated by pydantic. Any error stops start-up with :class:`ConfigError`,
whose message names the field path (``sites.oslo.timezone: unknown IANA timezone 'Europe/Olso'``).
Selected settings can be overridden by ``FLOORBOARD_*`` environment variables (see
:class:`RuntimeSettings`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
from enum import StrEnum
from functools import cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from floorboard.events.codec import Limits
from floorboard.events.model import CHANNELS, MAX_NAME_LENGTH, Channel


class ConfigError(ValueError):
    """Invalid configuration; the message names the offending field."""


def _secret_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ValueError(f"cannot read {path}: {reason}") from None
    if not text:
        raise ValueError(f"{path} is empty")
    return text


def read_secret(path: Path, name: str) -> SecretStr:
    """A password, token or key from a file (surrounding whitespace dropped): never from argv.
    Raises ConfigError naming ``name``."""
    try:
        return SecretStr(_secret_text(path))
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


class SlVariant(StrEnum):
    """Service-level formula variants. ``T`` is the queue × channel threshold."""

    ANSWERED_OF_OFFERED = "answered_of_offered"  # answered ≤ T ÷ offered
    ANSWERED_OF_ANSWERED_ABANDONED = "answered_of_answered_abandoned"  # ÷ (answered + abandoned)
    ANSWERED_OF_ANSWERED_LONG_ABANDONED = (
        "answered_of_answered_long_abandoned"  # minus short abandons
    )
    ANSWERED_OR_ABANDONED_OF_OFFERED = (
        "answered_or_abandoned_of_offered"  # (ans ≤ T + abn ≤ T) ÷ offered
    )
    ANSWERED_OF_ANSWERED = "answered_of_answered"  # answered ≤ T ÷ answered


SL_VARIANT_LABELS: dict[SlVariant, str] = {
    SlVariant.ANSWERED_OF_OFFERED: "ans≤T / offered",
    SlVariant.ANSWERED_OF_ANSWERED_ABANDONED: "ans≤T / (ans+abn)",
    SlVariant.ANSWERED_OF_ANSWERED_LONG_ABANDONED: "ans≤T / (ans+abn−short)",
    SlVariant.ANSWERED_OR_ABANDONED_OF_OFFERED: "(ans≤T+abn≤T) / offered",
    SlVariant.ANSWERED_OF_ANSWERED: "ans≤T / ans",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseSla(_Strict):
    """Response-time SLA for asynchronous channels.

    ``business_seconds``: within N seconds of open business hours; ``elapsed_seconds``: within N
    wall-clock seconds (the "24 h" promise); ``same_business_day``: before close of the business day
    the item arrived in (items arriving after close are due at the next business day's close).
    """

    kind: Literal["business_seconds", "elapsed_seconds", "same_business_day"]
    seconds: Annotated[int, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _seconds_match_kind(self) -> ResponseSla:
        if self.kind == "same_business_day" and self.seconds is not None:
            raise ValueError("seconds: not used with kind same_business_day")
        if self.kind != "same_business_day" and self.seconds is None:
            raise ValueError(f"seconds: required with kind {self.kind}")
        return self


class ChannelSettings(_Strict):
    sl_threshold_s: Annotated[int, Field(gt=0, le=86400)] = 20
    sl_variant: SlVariant = SlVariant.ANSWERED_OF_OFFERED
    response_sla: ResponseSla | None = None


class ChannelOverrides(_Strict):
    sl_threshold_s: Annotated[int, Field(gt=0, le=86400)] | None = None
    sl_variant: SlVariant | None = None
    response_sla: ResponseSla | None = None


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Target(_Strict):
    """``warn`` is the target: meeting it is green. Reaching ``alert`` is red; between is amber."""

    good: Direction
    warn: float
    alert: float

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        if self.good is Direction.HIGHER and self.alert > self.warn:
            raise ValueError("alert: must be ≤ warn when higher is good")
        if self.good is Direction.LOWER and self.alert < self.warn:
            raise ValueError("alert: must be ≥ warn when lower is good")
        return self


TargetName = Literal[
    "waiting",
    "longest_wait_s",
    "service_level",
    "abandon_rate",
    "asa_s",
    "aht_s",
    "response_sla_rate",
    "csat_mean",
    "csat_top2",
    "nps",
    "fcr_rate",
    "ces_mean",
    "qa_score",
    "occupancy",
    "employee_satisfaction",
    "sick_leave_rate",
]

DEFAULT_TARGETS: dict[str, Target] = {
    "waiting": Target(good=Direction.LOWER, warn=5, alert=15),
    "longest_wait_s": Target(good=Direction.LOWER, warn=60, alert=180),
    "service_level": Target(good=Direction.HIGHER, warn=0.80, alert=0.70),
    "abandon_rate": Target(good=Direction.LOWER, warn=0.05, alert=0.08),
    "asa_s": Target(good=Direction.LOWER, warn=20, alert=40),
    "aht_s": Target(good=Direction.LOWER, warn=360, alert=480),
    "response_sla_rate": Target(good=Direction.HIGHER, warn=0.90, alert=0.80),
    "csat_mean": Target(good=Direction.HIGHER, warn=4.2, alert=3.8),
    "csat_top2": Target(good=Direction.HIGHER, warn=0.80, alert=0.70),
    "nps": Target(good=Direction.HIGHER, warn=30, alert=10),
    "fcr_rate": Target(good=Direction.HIGHER, warn=0.80, alert=0.70),
    "ces_mean": Target(good=Direction.LOWER, warn=3.0, alert=4.0),
    "qa_score": Target(good=Direction.HIGHER, warn=0.85, alert=0.75),
    "occupancy": Target(good=Direction.LOWER, warn=0.85, alert=0.92),
    "employee_satisfaction": Target(good=Direction.HIGHER, warn=4.0, alert=3.5),
    "sick_leave_rate": Target(good=Direction.LOWER, warn=0.05, alert=0.08),
}

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class PublicHolidays(_Strict):
    """A country's public holidays (ISO 3166-1 code, optional subdivision) from the ``holidays``
    package, e.g. ``{country: "NO"}`` or ``{country: "DE", subdivision: "BY"}``."""

    country: str
    subdivision: str | None = None

    @model_validator(mode="after")
    def _known(self) -> PublicHolidays:
        supported = holidays.list_supported_countries()
        if self.country not in supported:
            raise ValueError(f"country: unknown country code {self.country!r}")
        subdivisions = supported[self.country]
        if self.subdivision is not None and self.subdivision not in subdivisions:
            raise ValueError(
                f"subdivision: {self.subdivision!r} is not one of {', '.join(subdivisions)}"
            )
        return self


class BusinessHours(_Strict):
    """Opening hours per weekday as ``["08:00", "16:00"]``; a missing day is closed, and so are
    ``holidays`` (explicit dates) and the ``public_holidays`` of a country."""

    days: dict[Weekday, tuple[dt.time, dt.time]] = Field(
        default_factory=lambda: {d: (dt.time(8), dt.time(16)) for d in WEEKDAYS[:5]}
    )
    holidays: tuple[dt.date, ...] = ()
    public_holidays: PublicHolidays | None = None

    @field_validator("days")
    @classmethod
    def _open_before_close(
        cls, days: dict[Weekday, tuple[dt.time, dt.time]]
    ) -> dict[Weekday, tuple[dt.time, dt.time]]:
        for day, (start, end) in days.items():
            if end <= start:
                raise ValueError(f"{day}: closing time must be after opening time")
        return days


class QueueSettings(_Strict):
    name: str | None = None
    channels: tuple[Channel, ...] = ("voice",)
    overrides: dict[Channel, ChannelOverrides] = Field(default_factory=dict)
    targets: dict[TargetName, Target] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _overrides_for_served_channels(self) -> QueueSettings:
        for channel in self.overrides:
            if channel not in self.channels:
                raise ValueError(f"overrides.{channel}: queue does not serve channel {channel}")
        return self


class SiteSettings(_Strict):
    timezone: str
    name: str | None = None
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    queues: dict[str, QueueSettings] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        # A region such as "Europe" is a directory of the tz database: IsADirectoryError.
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown IANA timezone {value!r}") from None
        return value

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _default_channels() -> dict[Channel, ChannelSettings]:
    return {
        "voice": ChannelSettings(sl_threshold_s=20),
        "chat": ChannelSettings(sl_threshold_s=30),
        "messaging": ChannelSettings(
            sl_threshold_s=60,
            response_sla=ResponseSla(kind="business_seconds", seconds=3600),
        ),
        "email": ChannelSettings(
            sl_threshold_s=3600,
            sl_variant=SlVariant.ANSWERED_OF_ANSWERED,
            response_sla=ResponseSla(kind="elapsed_seconds", seconds=86400),
        ),
    }


DEFAULT_WAIT_BUCKETS_S: tuple[int, ...] = (
    5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 600, 900, 1800, 3600, 14400, 86400,
)  # fmt: skip
DEFAULT_HANDLE_BUCKETS_S: tuple[int, ...] = (
    30, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 3600,
)  # fmt: skip


class EngineSettings(_Strict):
    short_abandon_s: Annotated[int, Field(ge=0, le=600)] = 5
    allowed_lateness_s: Annotated[int, Field(ge=0, le=7 * 86400)] = 600
    # Events further ahead of the wall clock are rejected (from_future): no event moves a
    # site's clock past wall clock + this.
    max_future_skew_s: Annotated[int, Field(ge=0, le=7 * 86400)] = 300
    dedup_ttl_s: Annotated[int, Field(gt=0)] = 86400
    contact_ttl_s: Annotated[int, Field(gt=0)] = 7 * 86400
    min_responses: Annotated[int, Field(ge=1)] = 10
    spread_min_responses: Annotated[int, Field(ge=1)] = 5
    spread_min_agents: Annotated[int, Field(ge=3)] = 3
    # The drill-down's list of abandoned contacts keeps the most recent this many per queue and
    # local day (the rest are counted): bounded state and records.
    abandoned_list_max: Annotated[int, Field(ge=0, le=10_000)] = 200
    wait_buckets_s: tuple[Annotated[int, Field(gt=0)], ...] = DEFAULT_WAIT_BUCKETS_S
    handle_buckets_s: tuple[Annotated[int, Field(gt=0)], ...] = DEFAULT_HANDLE_BUCKETS_S
    # Variant used where queues with different variants are summed (site and team totals).
    aggregate_sl_variant: SlVariant = SlVariant.ANSWERED_OF_OFFERED

    @model_validator(mode="after")
    def _dedup_covers_lateness(self) -> EngineSettings:
        # An accepted event's duplicate must still be remembered, or it would count twice.
        if self.dedup_ttl_s < self.allowed_lateness_s:
            raise ValueError("dedup_ttl_s: must be at least allowed_lateness_s")
        return self

    @field_validator("wait_buckets_s", "handle_buckets_s")
    @classmethod
    def _increasing(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if list(value) != sorted(set(value)):
            raise ValueError("bucket bounds must be strictly increasing")
        return value


AGENT_KEY_ENV = "FLOORBOARD_AGENT_KEY"
# Without a configured key: one random key per process. Agent keys then differ between workers.
_PROCESS_KEY = secrets.token_hex(32)


class PrivacySettings(_Strict):
    """How agents appear outside the worker (docs/security.md).

    ``agent_key_file`` (or ``FLOORBOARD_AGENT_KEY``) keys the HMAC that turns agent ids into the
    day's pseudonyms; every worker of a deployment needs the same key. ``works_council``: screens
    show agents only by the day's pseudonym, without not-ready reasons or time in state.
    """

    works_council: bool = False
    agent_key_file: Path | None = None

    @field_validator("agent_key_file")
    @classmethod
    def _readable(cls, value: Path | None) -> Path | None:
        if value is not None:
            _secret_text(value)  # an unreadable key stops start-up, not the first publish
        return value

    @property
    def key_configured(self) -> bool:
        return self.agent_key_file is not None or bool(os.environ.get(AGENT_KEY_ENV, "").strip())

    @cached_property
    def agent_key(self) -> SecretStr:
        if self.agent_key_file is not None:
            return SecretStr(_secret_text(self.agent_key_file))
        configured = os.environ.get(AGENT_KEY_ENV, "").strip()
        return SecretStr(configured or _PROCESS_KEY)


SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class ConnectionSettings(_Strict):
    """How every process reaches Kafka, shared through the config file; ``FLOORBOARD_*`` variables
    override each key. No password here: ``sasl_password_file`` or ``FLOORBOARD_SASL_PASSWORD``."""

    broker: str | None = None
    security_protocol: SecurityProtocol | None = None
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password_file: Path | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None


class InputLimits(_Strict):
    """Bounds every record is checked against before it is parsed (docs/configuration.md)."""

    max_record_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 1_048_576
    # At most 100,000 so per-event offsets stay within a record's range (streams/worker/offsets).
    max_batch_events: Annotated[int, Field(ge=1, le=100_000)] = 10_000
    max_depth: Annotated[int, Field(ge=3, le=64)] = 8
    # Queue names per site beyond the configured ones that are counted; events naming yet
    # others are refused as unknown_queue.
    max_unknown_queues: Annotated[int, Field(ge=0, le=10_000)] = 20
    # Team names per site that are counted (teams are not configured); events naming yet others
    # are refused as too_many_teams.
    max_teams_per_site: Annotated[int, Field(ge=1, le=10_000)] = 200
    # At most the event types' own cap, which msgspec checks while decoding (docs/events.md).
    max_id_length: Annotated[int, Field(ge=1, le=MAX_NAME_LENGTH)] = MAX_NAME_LENGTH
    max_name_length: Annotated[int, Field(ge=1, le=MAX_NAME_LENGTH)] = MAX_NAME_LENGTH

    @cached_property
    def codec(self) -> Limits:
        return Limits(self.max_record_bytes, self.max_batch_events, self.max_depth,
                      self.max_id_length, self.max_name_length)  # fmt: skip


class Config(_Strict):
    sites: Annotated[dict[str, SiteSettings], Field(min_length=1)]
    channels: dict[Channel, ChannelSettings] = Field(default_factory=_default_channels)
    targets: dict[TargetName, Target] = Field(default_factory=dict)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    connection: ConnectionSettings = Field(default_factory=ConnectionSettings)
    limits: InputLimits = Field(default_factory=InputLimits)

    @model_validator(mode="after")
    def _all_channels(self) -> Config:
        missing = [c for c in CHANNELS if c not in self.channels]
        if missing:
            defaults = _default_channels()
            merged = {**{c: defaults[c] for c in missing}, **self.channels}
            object.__setattr__(self, "channels", merged)
        return self

    def channel_settings(self, site: str, queue: str, channel: str) -> ChannelSettings:
        """Effective settings for one queue × channel: queue overrides over channel defaults."""
        base = self.channels[channel]  # type: ignore[index]
        site_cfg = self.sites.get(site)
        queue_cfg = site_cfg.queues.get(queue) if site_cfg else None
        over = queue_cfg.overrides.get(channel) if queue_cfg else None  # type: ignore[call-overload]
        if over is None:
            return base
        # The set fields as they are: model_dump would turn a nested ResponseSla into a dict,
        # which model_copy does not validate back.
        return base.model_copy(update={name: value for name, value in over if value is not None})

    def target(self, name: str, site: str | None = None, queue: str | None = None) -> Target | None:
        if site is not None and queue is not None:
            queue_cfg = self.sites.get(site, None)
            q = queue_cfg.queues.get(queue) if queue_cfg else None
            if q is not None and name in q.targets:
                return q.targets[name]
        if name in self.targets:
            return self.targets[name]
        return DEFAULT_TARGETS.get(name)

    @cached_property
    def sl_thresholds_s(self) -> frozenset[int]:
        """Every configured SL threshold: the wait histogram gets an exact bucket at each."""
        found = {c.sl_threshold_s for c in self.channels.values()}
        for site in self.sites.values():
            for queue in site.queues.values():
                for over in queue.overrides.values():
                    if over.sl_threshold_s is not None:
                        found.add(over.sl_threshold_s)
        return frozenset(found)

    @cached_property
    def wait_bounds_ms(self) -> tuple[int, ...]:
        """Upper bounds (inclusive, ms) of the wait histogram: defaults ∪ SL and short-abandon T."""
        bounds = set(self.engine.wait_buckets_s) | self.sl_thresholds_s
        bounds.add(self.engine.short_abandon_s)
        return tuple(sorted(b * 1000 for b in bounds if b > 0))

    @cached_property
    def handle_bounds_ms(self) -> tuple[int, ...]:
        return tuple(b * 1000 for b in self.engine.handle_buckets_s)


class RuntimeSettings(BaseSettings):
    """Process-level settings from the environment (``FLOORBOARD_BROKER`` …), not the KPI config."""

    model_config = SettingsConfigDict(env_prefix="FLOORBOARD_", extra="ignore")

    # Kafka bootstrap servers, "host:port[,host:port...]". docs/running.md covers SASL and TLS.
    broker: str = "localhost:9092"
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "PLAIN"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None  # FLOORBOARD_SASL_PASSWORD, or the file below
    sasl_password_file: Path | None = None
    ssl_cafile: Path | None = None  # CA bundle; the system store when unset
    ssl_certfile: Path | None = None  # client certificate (mutual TLS)
    ssl_keyfile: Path | None = None
    # Topics shared by producers, workers and readers.
    events_topic: str = "floorboard.events"
    events_partitions: Annotated[int, Field(ge=1, le=1024)] = 4  # used when the topic is created
    snapshots_topic: str = "floorboard.snapshots"  # team and queue records: what every screen reads
    agents_topic: str = "floorboard.agents"  # agent states by name: the supervisor's screen only
    deadletter_topic: str = "floorboard.deadletter"
    # Replicas of topics Floorboard creates itself (1 on a single broker; 3 on a real cluster).
    replication_factor: Annotated[int, Field(ge=1, le=16)] = 1


def runtime_settings(config: Config | None = None) -> RuntimeSettings:
    """Process settings: ``FLOORBOARD_*`` variables over the config's ``connection`` block over
    the defaults. Raises ConfigError naming the variable."""
    from_env = from_environment(RuntimeSettings, "FLOORBOARD_")
    return from_env if config is None else with_connection(from_env, config)


_Settings = TypeVar("_Settings", bound=BaseSettings)


def from_environment(kind: type[_Settings], prefix: str) -> _Settings:
    """Settings of ``kind`` read from the environment; ConfigError names a bad variable."""
    try:
        return kind()
    except ValidationError as exc:
        raise ConfigError(f"environment: {_format_error(exc, prefix)}") from None


def with_connection(settings: RuntimeSettings, config: Config) -> RuntimeSettings:
    """``settings`` with the config's ``connection`` keys where none was set explicitly."""
    block = {
        name: value
        for name, value in config.connection
        if value is not None and name not in settings.model_fields_set
    }
    return settings.model_copy(update=block)


def _format_error(exc: ValidationError, prefix: str = "") -> str:
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        path = (prefix + path.upper()) if prefix and path else path
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{path or '<root>'}: {msg}")
    return "; ".join(lines)


def parse_config(data: Any, source: str = "<config>") -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_format_error(exc)}") from None


# The example configuration shipped in the package: the demo's default.
EXAMPLE_CONFIG: Traversable = files(__name__) / "example.yaml"


CONFIG_ENV = "FLOORBOARD_CONFIG"


def config_from_env() -> Path | None:
    """The config file named by FLOORBOARD_CONFIG: the default of every ``--config``."""
    value = os.environ.get(CONFIG_ENV, "").strip()
    return Path(value) if value else None


def add_config(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--config FILE``, defaulting to FLOORBOARD_CONFIG; required unless one of them is set."""
    default = config_from_env()
    parser.add_argument(
        "--config",
        type=Path,
        default=default,
        required=required and default is None,
        help=f"Floorboard YAML config (default: ${CONFIG_ENV})",
    )


def load_config(path: str | Path | Traversable) -> Config:
    if isinstance(path, str):
        path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: cannot read config file: not UTF-8 text (byte {exc.start})"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_config(data, str(path))
