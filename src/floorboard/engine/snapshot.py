"""KPI snapshot records: what workers publish and every reader (wallboard, report, /kpi) merges.

Records carry additive state only: window vectors, live counts, agent time and per-agent quality
sums under keyed pseudonyms. Readers merge records of all partitions by adding vectors and derive
ratios afterwards, so site and team totals are never averages of averages.

Queue, team, status and queue-day records carry no agent identity: every screen may read them.
Agent states by name are ``AgentRoster`` records, published to their own topic for the
supervisor's screen.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from floorboard.engine.layout import add_at


class AgentLive(msgspec.Struct, frozen=True):
    agent: str
    state: str
    reason: str
    since: int
    queues: tuple[str, ...] = ()


class Pulse(msgspec.Struct, frozen=True):
    ts: int
    value: float
    respondents: int


class QueueSnapshot(msgspec.Struct, tag="queue", kw_only=True):
    """One (site, queue, channel): windows summed over teams, plus the live queue."""

    source: str
    as_of: int
    layout: str
    site: str
    queue: str
    channel: str
    windows: dict[str, list[int]]
    waiting: int = 0
    oldest_wait_ts: int | None = None
    backlog: int = 0
    oldest_open_ts: int | None = None


class TeamSnapshot(msgspec.Struct, tag="team", kw_only=True):
    """One (site, team): windows summed over queues, agents per state and time in state, pulse,
    spread inputs. No agent ids: ``on_floor`` counts, ``skills`` is the union of queues served."""

    source: str
    as_of: int
    layout: str
    site: str
    team: str
    windows: dict[str, list[int]]
    agent_time: dict[str, list[int]]
    on_floor: dict[str, int]  # state -> logged-in agents in it now
    skills: list[str]
    agent_quality: dict[str, list[int]]  # the day's keyed pseudonym -> today's quality sums
    pulse: dict[str, Pulse]
    # window -> (queue, channel, contacts the team answered there): which queues' service level
    # is the team's (engine.views.team_figures)
    answered_queues: dict[str, list[tuple[str, str, int]]] = msgspec.field(default_factory=dict)


class AgentRoster(msgspec.Struct, tag="agents", kw_only=True):
    """One (site, team)'s logged-in agents and their states: the agents topic only."""

    source: str
    as_of: int
    layout: str
    site: str
    team: str
    agents: list[AgentLive]


class SourceStatus(msgspec.Struct, tag="status", kw_only=True):
    """Per-partition heartbeat: watermarks and counters named as the engine's outcomes (applied,
    duplicate, too_late, unknown_site), plus redelivered and rejected:<reason>."""

    source: str
    as_of: int
    layout: str
    watermarks: dict[str, int]
    counters: dict[str, int]


class QueueDay(msgspec.Struct, tag="queue_day", kw_only=True):
    """One (site, queue, channel)'s local day so far, for the drill-down (engine/day.py): its
    vector per half hour from local midnight, its abandoned contacts, the most recent
    ``abandoned`` as (ts, wait_ms) of ``abandoned_total``, and the same half hour last week.
    Published apart from, and less often than, the other records. No contact, customer or agent
    id."""

    source: str
    as_of: int
    layout: str
    site: str
    queue: str
    channel: str
    day_start: int  # the local midnight, epoch ms
    intervals: dict[int, list[int]]  # half-hour start (epoch ms) -> vector; empty ones left out
    abandoned: list[tuple[int, int]]
    abandoned_total: int
    # the whole local half hour seven days before this one (windows.last_week_span), if any
    last_week: list[int] | None = None


Snapshot = QueueSnapshot | TeamSnapshot | AgentRoster | SourceStatus | QueueDay
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Snapshot)


def encode(record: Snapshot) -> bytes:
    return _encoder.encode(record)


def decode(raw: bytes) -> Snapshot:
    return _decoder.decode(raw)


def record_key(record: Snapshot) -> str:
    """Latest-wins key: one record per source partition and entity."""
    if isinstance(record, QueueSnapshot):
        return f"{record.source}|queue|{record.site}|{record.queue}|{record.channel}"
    if isinstance(record, TeamSnapshot):
        return f"{record.source}|team|{record.site}|{record.team}"
    if isinstance(record, AgentRoster):
        return f"{record.source}|agents|{record.site}|{record.team}"
    if isinstance(record, QueueDay):
        return f"{record.source}|queue_day|{record.site}|{record.queue}|{record.channel}"
    return f"{record.source}|status"


def merge_windows(parts: Iterable[dict[str, list[int]]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for part in parts:
        for window, vector in part.items():
            add_at(out, window, vector)
    return out
