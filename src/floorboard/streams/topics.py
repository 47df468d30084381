"""The pipeline's topics and their creation through the admin API.

Topics are created up front with explicit partition counts: a broker that auto-creates unknown
topics picks its own count (Tansu: 4), and a worker's checkpoint topic must have exactly as many
partitions as the events topic it checkpoints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from floorboard.config import RuntimeSettings
from floorboard.streams.kafka import KafkaConnection

_TOPIC_ALREADY_EXISTS = 36
COMPACT = {"cleanup.policy": "compact"}
# Checkpoint write-ahead records hold every key changed in one interval and can be megabytes.
CHECKPOINT_MAX_BYTES = 64 * 1024 * 1024


class TopicMismatch(RuntimeError):
    """An existing topic has a different partition count than the pipeline needs."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    configs: dict[str, str] = field(default_factory=dict)
    exact: bool = True  # an existing topic must have exactly ``partitions``


def shared_topics(settings: RuntimeSettings) -> list[TopicSpec]:
    """Events (keyed, partitioned), snapshots and agent rosters (compacted, latest per key),
    dead letters."""
    return [
        TopicSpec(settings.events_topic, settings.events_partitions, exact=False),
        TopicSpec(settings.snapshots_topic, 1, dict(COMPACT), exact=False),
        TopicSpec(settings.agents_topic, 1, dict(COMPACT), exact=False),
        TopicSpec(settings.deadletter_topic, 1, exact=False),
    ]


def checkpoint_topic_name(app_id: str) -> str:
    return f"{app_id}-checkpoints"


def checkpoint_topic(app_id: str, partitions: int) -> TopicSpec:
    configs = {**COMPACT, "max.message.bytes": str(CHECKPOINT_MAX_BYTES)}
    return TopicSpec(checkpoint_topic_name(app_id), partitions, configs)


async def partition_counts(conn: KafkaConnection, names: Iterable[str]) -> dict[str, int]:
    """Partition count of each existing topic among ``names`` (missing topics are left out)."""
    admin = AIOKafkaAdminClient(**conn.client_kwargs())
    await admin.start()
    try:
        return await _counts(admin, list(names))
    finally:
        await admin.close()


async def _counts(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    existing = set(await admin.list_topics())
    wanted = [n for n in names if n in existing]
    if not wanted:
        return {}
    described = await admin.describe_topics(wanted)
    return {str(t["topic"]): len(t["partitions"]) for t in described if not t.get("error_code")}


async def ensure_topics(
    conn: KafkaConnection, specs: Iterable[TopicSpec], replication_factor: int = 1
) -> dict[str, int]:
    """Create missing topics; return every topic's partition count. Raises TopicMismatch."""
    specs = list(specs)
    admin = AIOKafkaAdminClient(**conn.client_kwargs())
    await admin.start()
    try:
        counts = await _counts(admin, [s.name for s in specs])
        missing = [s for s in specs if s.name not in counts]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(s.name, s.partitions, replication_factor, topic_configs=s.configs)
                    for s in missing
                ]
            )
            for name, code, message in _errors(response):
                if code not in (0, _TOPIC_ALREADY_EXISTS):
                    raise RuntimeError(f"cannot create topic {name}: {message} (error {code})")
            counts = await _counts(admin, [s.name for s in specs])
    finally:
        await admin.close()
    for spec in specs:
        found = counts.get(spec.name)
        if found is None:
            raise RuntimeError(f"topic {spec.name} was not created")
        if spec.exact and found != spec.partitions:
            raise TopicMismatch(
                f"topic {spec.name} has {found} partitions, {spec.partitions} are needed"
            )
    return counts


def _errors(response: object) -> list[tuple[str, int, str | None]]:
    out: list[tuple[str, int, str | None]] = []
    for item in getattr(response, "topic_errors", []):
        name, code, *rest = item
        out.append((str(name), int(code), rest[0] if rest else None))
    return out
