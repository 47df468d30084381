"""Properties: partition merge equals the whole; arrival order within lateness does not matter;
a restore from any checkpoint, even a half-written one, ends exactly where no crash would have."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.config import Config
from streams.engine.engine import Engine
from streams.engine.read import snapshot
from streams.engine.snapshot import Snapshot
from streams.engine.state import Checkpoint
from streams.engine.views import merge
from streams.events.model import Event, partition_key
from tests.factory import MINUTE, SECOND, T0, config, contact, event

CFG: Config = config(allowed_lateness_s=600, spread_min_responses=1)
# Three hours of events: minute buckets roll up into quarter buckets while the stream runs.
NOW = T0 + 200 * MINUTE


@st.composite
def centre_events(draw: st.DrawFn) -> list[Event]:
    """A random but valid mix of contacts, agents, surveys, QA and duplicates over three hours."""
    out: list[Event] = []
    n = draw(st.integers(1, 25))
    for i in range(n):
        start = T0 + draw(st.integers(0, 180 * 60)) * SECOND
        queue = draw(st.sampled_from(["billing", "support"]))
        team = draw(st.sampled_from(["red", "blue"]))
        agent = draw(st.sampled_from(["a1", "a2", "a3", "a4"]))
        fate = draw(st.sampled_from(["answer", "abandon", "wait"]))
        wait = draw(st.integers(0, 90))
        out += contact(
            f"c{i}", start, queue=queue, team=team, agent=agent,
            wait_s=wait if fate == "answer" else None,
            abandon_s=wait if fate == "abandon" else None,
            talk_s=draw(st.integers(0, 300)), acw_s=draw(st.integers(0, 60)),
        )  # fmt: skip
        if fate == "answer" and draw(st.booleans()):
            out.append(event("survey.response", start + draw(st.integers(1, 300)) * SECOND,
                             contact_id=f"c{i}", csat=draw(st.integers(1, 5)),
                             nps=draw(st.integers(0, 10))))  # fmt: skip
        if draw(st.booleans()):
            out.append(event("qa.evaluation", start + 60 * SECOND, contact_id=f"c{i}",
                             score=draw(st.integers(0, 10)), max_score=10))  # fmt: skip
    for agent in ("a1", "a2"):
        for _ in range(draw(st.integers(0, 4))):
            state = draw(st.sampled_from(["ready", "busy", "acw", "not_ready"]))
            out.append(event("agent.state", T0 + draw(st.integers(0, 10800)) * SECOND, agent=agent,
                             team="red", state=state, queues=["billing"],
                             reason="break" if state == "not_ready" else None))  # fmt: skip
    dupes = draw(st.lists(st.sampled_from(out), max_size=3))
    return out + dupes


def records(engines: Sequence[Engine]) -> list[Snapshot]:
    return [r for e in engines for r in snapshot(e, NOW, "p")]


def comparable(recs: list[Snapshot]) -> object:
    """Merged views without per-source fields, for equality."""
    v = merge(recs)
    counters = {k: c for k, c in v.counters.items() if k not in ("applied", "redelivered")}
    teams = {
        k: (
            t.windows,
            t.agent_time,
            sorted(t.agents, key=lambda a: a.agent),
            t.agent_quality,
            t.pulse,
        )
        for k, t in v.teams.items()
    }
    return v.queues, teams, counters


def feed(engine: Engine, events: Sequence[Event], start: int = 0) -> None:
    for offset, ev in enumerate(events, start=start):
        engine.apply(ev, offset)


@settings(max_examples=60, deadline=None)
@given(centre_events(), st.integers(2, 4))
def test_partition_merge_equals_whole(events: list[Event], partitions: int) -> None:
    # Lateness is judged per partition, so the property holds for input within the lateness.
    events = sorted(events, key=lambda e: e.ts)
    whole = Engine(CFG)
    feed(whole, events)
    parts = [Engine(CFG) for _ in range(partitions)]
    for ev in events:
        parts[hash(partition_key(ev)) % partitions].apply(ev)
    assert comparable(records(parts)) == comparable(records([whole]))


@settings(max_examples=60, deadline=None)
@given(centre_events(), st.randoms(use_true_random=False))
def test_any_order_within_lateness_gives_the_same_kpis(
    events: list[Event], rnd: random.Random
) -> None:
    # all events lie within 30 min and lateness is 10 min: sort, then shuffle within 10-min blocks
    ordered = sorted(events, key=lambda e: e.ts)
    shuffled: list[Event] = []
    block = 9 * MINUTE
    for start in range(T0, T0 + 200 * MINUTE, block):
        chunk = [e for e in ordered if start <= e.ts < start + block]
        rnd.shuffle(chunk)
        shuffled += chunk
    a, b = Engine(CFG), Engine(CFG)
    feed(a, ordered)
    feed(b, shuffled)
    assert comparable(records([a])) == comparable(records([b]))


@settings(max_examples=60, deadline=None)
@given(centre_events(), st.data())
def test_restore_after_a_crash_mid_checkpoint_is_exact(
    events: list[Event], data: st.DataObject
) -> None:
    """Checkpoint twice; die while the second one's keys are being written; restore; go on."""
    events = sorted(events, key=lambda e: e.ts)
    first = data.draw(st.integers(0, len(events)))
    second = data.draw(st.integers(first, len(events)))
    reference = Engine(CFG)
    feed(reference, events)

    table: dict[bytes, bytes] = {}

    def write(changes: list[tuple[bytes, bytes | None]], keep: list[bool]) -> None:
        for (key, value), written in zip(changes, keep, strict=True):
            if not written:
                continue
            if value is None:
                table.pop(key, None)  # a None deletes the key, as a compacted table does
            else:
                table[key] = value

    crashed = Engine(CFG)
    feed(crashed, events[:first])
    wal = crashed.checkpoint(first - 1).encode()
    write(Checkpoint.decode(wal).changes, [True] * len(Checkpoint.decode(wal).changes))
    feed(crashed, events[first:second], start=first)
    late = crashed.checkpoint(second - 1)
    wal_written = data.draw(st.booleans())
    if wal_written:
        wal = late.encode()
    keep = data.draw(
        st.lists(st.booleans(), min_size=len(late.changes), max_size=len(late.changes))
    )
    if wal_written:  # keys are written only after the write-ahead record
        write(late.changes, keep)

    restored = Engine(CFG)
    resume = restored.restore(table.items(), Checkpoint.decode(wal)) + 1
    assert resume == (second if wal_written else first)
    # a redelivered event from before the checkpoint is skipped, not counted twice
    if resume > 0:
        restored.apply(events[resume - 1], resume - 1)
    feed(restored, events[resume:], start=resume)
    assert comparable(records([restored])) == comparable(records([reference]))
    expected = {k: v for k, v in reference.counters.items()}
    got = {k: v for k, v in restored.counters.items() if k != "redelivered"}
    assert got == expected
