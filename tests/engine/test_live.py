"""The live-queue index kept as entries enter and leave WAITING and BACKLOG reads exactly what a
scan of those tables gives: after removals, late events, sweeps, a day change, reads at earlier
times, and a restore from a checkpoint."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.config import Config
from floorboard.engine.engine import MAX_SYNC_WAIT_MS, Engine
from floorboard.engine.live import LiveQueues, OpenTimes
from floorboard.engine.read import snapshot
from floorboard.engine.tables import BACKLOG, ENTRY_CHANNEL, ENTRY_TS, WAITING
from floorboard.events.model import ASYNC_CHANNELS, Event
from tests.engine.helpers import feed
from tests.engine.strategies import LATEST_S, arrival_order, centre_events
from tests.factory import MINUTE, SECOND, T0, config, event

LATENESS_S = 600
HOUR = 60 * MINUTE


def scan(engine: Engine, now: int) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Live queues from scratch: every open entry of WAITING and BACKLOG visited."""
    counts: dict[tuple[str, str, str], list[Any]] = {}
    for table, slot in ((WAITING, 0), (BACKLOG, 2)):
        for (site, _cid, queue), entry in engine.state.tables[table].items():
            channel, ts = entry[ENTRY_CHANNEL], entry[ENTRY_TS]
            if table == WAITING and channel not in ASYNC_CHANNELS and now - ts > MAX_SYNC_WAIT_MS:
                continue
            found = counts.setdefault((site, queue, channel), [0, None, 0, None])
            found[slot] += 1
            found[slot + 1] = ts if found[slot + 1] is None else min(found[slot + 1], ts)
    return {key: tuple(v) for key, v in counts.items()}


def assert_live(engine: Engine, now: int) -> None:
    expected = scan(engine, now)
    assert engine.live.read(now - MAX_SYNC_WAIT_MS) == expected
    rebuilt = LiveQueues()
    rebuilt.rebuild(engine.state.tables)
    assert rebuilt.read(now - MAX_SYNC_WAIT_MS) == expected


# --- one queue's times against a plain multiset ---


ops = st.lists(
    st.tuples(st.sampled_from(["add", "remove", "read"]), st.integers(0, 40)),
    max_size=400,
)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_open_times_match_a_multiset(steps: list[tuple[str, int]]) -> None:
    # Few distinct times and many removals: ties, removed times at and below the top of the
    # heap, rebuilds of the heap, cuts moving both ways.
    times = OpenTimes()
    held: Counter[int] = Counter()
    for op, value in steps:
        if op == "add":
            times.add(value)
            held[value] += 1
        elif op == "remove" and held:
            ts = sorted(held.elements())[value % held.total()]
            times.remove(ts)
            held[ts] -= 1
            held += Counter()  # drop zeros
        else:
            counted = [ts for ts in held.elements() if ts >= value]
            assert times.read(value) == (len(counted), min(counted, default=None))
    assert times.read() == (held.total(), min(held, default=None))


def test_many_removals_keep_the_heap_small() -> None:
    times = OpenTimes()
    times.add(0)  # stays open: every later time is removed below the top
    for ts in range(1, 10_001):
        times.add(ts)
        times.remove(ts)
    assert times.read() == (1, 0)
    assert len(times._heap) < 200  # removed times were dropped, not kept for good


# --- the engine's index against a scan of its tables ---


def engine_config(ttl_s: int) -> Config:
    return config(allowed_lateness_s=LATENESS_S, spread_min_responses=1, contact_ttl_s=ttl_s)


# Read times: during the stream, past the 4 h cut for synchronous waits, the next local day,
# then an earlier time again (the cut moves back).
READS = (T0 + HOUR, T0 + 5 * HOUR, T0 + (LATEST_S + 600) * SECOND, T0 + 20 * HOUR, T0)


@settings(max_examples=60, deadline=None)
@given(
    centre_events(max_contacts=16),
    st.randoms(),
    st.sampled_from([3600, 4 * 3600, 7 * 86400]),
    st.integers(0, 100),
)
def test_index_matches_a_scan_of_the_tables(
    events: list[Event], rnd: random.Random, ttl_s: int, cut_percent: int
) -> None:
    cfg = engine_config(ttl_s)
    arrived = arrival_order(events, rnd, LATENESS_S * SECOND)
    # Events a day later sweep the contacts past the TTL and change the local day.
    arrived.append(event("agent.state", T0 + 26 * HOUR, agent="a9", team="red", state="ready"))
    engine = Engine(cfg)
    middle = len(arrived) * cut_percent // 100
    feed(engine, arrived[:middle])
    for now in READS:
        assert_live(engine, now)
    # Restored from a checkpoint in the middle: the index is rebuilt from the tables.
    restored = Engine(cfg)
    restored.restore([], engine.checkpoint(middle - 1))
    feed(engine, arrived[middle:], middle)
    feed(restored, arrived[middle:], middle)
    for now in READS:
        assert_live(engine, now)
        assert_live(restored, now)
        assert snapshot(restored, now, "x") == snapshot(engine, now, "x")


def test_transfer_back_and_a_late_reentry_replace_the_entry() -> None:
    cfg = engine_config(7 * 86400)
    engine = Engine(cfg)
    common = {"contact_id": "c1", "queue": "billing"}
    feed(engine, [
        event("contact.offered", T0, channel="voice", **common),
        event("contact.offered", T0 + 5 * MINUTE, channel="chat", **common),  # same key, newer
        event("contact.offered", T0 + MINUTE, channel="voice", **common),  # older: ignored
        event("contact.offered", T0, channel="email", contact_id="m1", queue="support"),
    ])  # fmt: skip
    assert engine.live.read(T0 - MAX_SYNC_WAIT_MS) == {
        ("oslo", "billing", "chat"): (1, T0 + 5 * MINUTE, 0, None),
        ("oslo", "support", "email"): (1, T0, 1, T0),
    }
    assert_live(engine, T0 + 5 * HOUR)
