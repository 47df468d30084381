from __future__ import annotations

from floorboard.engine.engine import Engine
from floorboard.engine.snapshot import (
    AgentRoster,
    QueueDay,
    QueueSnapshot,
    SourceStatus,
    TeamSnapshot,
    decode,
)
from floorboard.events.codec import encode_batch
from floorboard.streams.worker.partition import PartitionState, SourceRecord
from floorboard.streams.worker.publisher import day_publication, snapshot_records
from tests.factory import MINUTE, T0, config, contact, event


def test_records_are_keyed_by_source_and_entity_with_the_status_last() -> None:
    part = PartitionState(Engine(config()), "events", 1)
    events = contact("c1", T0, wait_s=3) + contact("c2", T0, queue="support", abandon_s=2)
    part.apply_records([SourceRecord(0, None, encode_batch(events))], now=0.0)
    records = snapshot_records(part, T0 + MINUTE, "snap", "agents").records
    assert {topic for topic, _, _ in records} == {"snap"}  # no agent states: no roster
    keys = [key.decode() for _, key, _ in records]
    assert keys[-1] == "events/1|status"
    assert (
        "events/1|queue|oslo|billing|voice" in keys and "events/1|queue|oslo|support|voice" in keys
    )
    decoded = [decode(v) for _, _, v in records if v is not None]
    assert all(r.source == "events/1" and r.as_of == T0 + MINUTE for r in decoded)
    assert isinstance(decoded[-1], SourceStatus) and decoded[-1].counters["applied"] == 4


def published(part: PartitionState, now: int) -> dict[bytes, bytes | None]:
    return {key: value for _, key, value in snapshot_records(part, now, "snap", "agents").records}


def test_agent_rosters_go_to_the_agents_topic_and_team_records_name_nobody() -> None:
    part = PartitionState(Engine(config()), "events", 2)
    states = [
        event("agent.state", T0, agent="alice", team="red", state="ready", queues=["billing"]),
        event("agent.state", T0, agent="bob", team="red", state="not_ready", reason="lunch"),
    ]
    part.apply_records([SourceRecord(0, None, encode_batch(states))], now=0.0)
    records = snapshot_records(part, T0 + MINUTE, "snap", "agents").records
    by_topic = {
        topic: [v for t, _, v in records if t == topic and v] for topic in ("snap", "agents")
    }
    assert [type(decode(v)) for v in by_topic["agents"]] == [AgentRoster]
    assert all(b"alice" not in v and b"lunch" not in v for v in by_topic["snap"])
    team = next(r for r in map(decode, by_topic["snap"]) if isinstance(r, TeamSnapshot))
    assert team.on_floor == {"not_ready": 1, "ready": 1} and team.skills == ["billing"]
    # bob logs out, alice too: the roster record goes away with a tombstone on its own topic
    out = [event("agent.state", T0 + MINUTE, agent=a, team="red", state="logged_out")
           for a in ("alice", "bob")]  # fmt: skip
    part.apply_records([SourceRecord(1, None, encode_batch(out))], now=0.0)
    later = snapshot_records(part, T0 + 2 * MINUTE, "snap", "agents").records
    assert ("agents", b"events/2|agents|oslo|red", None) in later


def test_a_record_that_went_away_gets_a_tombstone_once() -> None:
    part = PartitionState(Engine(config()), "events", 0)
    part.apply_records([SourceRecord(0, None, encode_batch(contact("c1", T0, wait_s=3)))], 0.0)
    first = published(part, T0 + MINUTE)
    queue_key = b"events/0|queue|oslo|billing|voice"
    assert isinstance(decode(first[queue_key] or b""), QueueSnapshot)
    # two days later every bucket is evicted: the queue record is gone from the engine
    later = T0 + 2 * 24 * 60 * MINUTE
    part.apply_records(
        [SourceRecord(1, None, encode_batch(contact("c9", later, queue="support")))], 0.0
    )
    second = published(part, later)
    assert second[queue_key] is None
    third = published(part, later)
    assert queue_key not in third


def test_queue_day_records_have_their_own_keys_and_tombstones() -> None:
    part = PartitionState(Engine(config()), "events", 3)
    part.apply_records([SourceRecord(0, None, encode_batch(contact("c1", T0, abandon_s=9)))], 0.0)
    records, keys = day_publication(part, T0 + MINUTE, "snap", set())
    key = b"events/3|queue_day|oslo|billing|voice"
    assert [(topic, k) for topic, k, _ in records] == [("snap", key)] and keys == {key}
    day = decode(records[0][2] or b"")
    assert isinstance(day, QueueDay) and day.abandoned == [(T0 + 9000, 9000)]
    # the per-second publication neither sends nor tombstones them
    assert key not in published(part, T0 + MINUTE)
    # two days later the queue's day is gone: one tombstone
    later = T0 + 2 * 24 * 60 * MINUTE
    part.apply_records(
        [SourceRecord(1, None, encode_batch(contact("c9", later, queue="support")))], 0.0
    )
    records, keys = day_publication(part, later, "snap", keys)
    assert ("snap", key, None) in records and key not in keys
