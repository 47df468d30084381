"""The engine's contract: partitions merge into the whole, arrival order within the lateness does
not matter, duplicates and too-late events are counted and change nothing, a late event restates
its own bucket, and live queues follow every leg of a contact."""

from __future__ import annotations

import itertools
import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.config import Config, parse_config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import QueueSnapshot, TeamSnapshot
from floorboard.engine.tables import BACKLOG, CONTACTS, EXITS, WAITING
from floorboard.engine.views import merge
from floorboard.events.model import Event, partition_key
from tests.engine.helpers import (
    comparable,
    feed,
    field,
    queue_figures,
    records,
    run,
    views,
)
from tests.engine.strategies import (
    LATEST_S,
    arrival_order,
    by_event_time,
    centre_events,
    reversed_within,
)
from tests.factory import BASE_CONFIG, MINUTE, SECOND, T0, config, contact, event

LATENESS_S = 600
CFG: Config = config(allowed_lateness_s=LATENESS_S, spread_min_responses=1)
END = T0 + (LATEST_S + 600) * SECOND  # read after the last possible event, same local day
NOW = T0 + 10 * MINUTE


# --- properties ---


@settings(max_examples=75, deadline=None)
@given(centre_events(), st.integers(2, 4), st.integers(0, 2**32 - 1), st.randoms())
def test_partitions_merged_by_addition_equal_one_engine(
    events: list[Event], partitions: int, salt: int, rnd: random.Random
) -> None:
    # Route by partition_key as the streaming layer does (a stable hash, so failures replay);
    # every partition sees its events in the same relative order as the single engine.
    arrived = arrival_order(events, rnd, LATENESS_S * 1000)
    whole = Engine(CFG)
    feed(whole, arrived)
    parts = [Engine(CFG) for _ in range(partitions)]
    for ev in arrived:
        key = partition_key(ev).encode()
        parts[zlib.crc32(key, salt) % partitions].apply(ev)
    assert comparable(merge(records(parts, END))) == comparable(merge(records([whole], END)))


@settings(max_examples=75, deadline=None)
@given(centre_events(), st.randoms())
def test_any_arrival_order_within_lateness_gives_the_same_snapshot(
    events: list[Event], rnd: random.Random
) -> None:
    lateness_ms = LATENESS_S * 1000
    in_order = Engine(CFG)
    feed(in_order, by_event_time(events))
    for order in (reversed_within(events, lateness_ms), arrival_order(events, rnd, lateness_ms)):
        shuffled = Engine(CFG)
        feed(shuffled, order)
        assert shuffled.counters["too_late"] == 0  # the order really is within the lateness
        for now in (END, T0 + 90 * MINUTE):  # read at the end and mid-stream (rolling windows)
            assert snapshot(shuffled, now, "x") == snapshot(in_order, now, "x")


# --- duplicates and lateness ---


def test_duplicate_ids_are_ignored_and_counted() -> None:
    offered = contact("c1", T0)[0]
    engine = Engine(config())
    assert engine.apply(offered) == "applied"
    before = snapshot(engine, NOW, "x")
    assert engine.apply(offered) == "duplicate"
    assert engine.apply(offered) == "duplicate"
    assert engine.counters["duplicate"] == 2
    assert queue_figures(engine, NOW)["offered"].value == 1
    assert snapshot(engine, NOW, "x")[:-1] == before[:-1]  # all but the status record


def test_a_duplicate_with_a_new_body_is_still_the_same_event() -> None:
    engine = run(config(), [event("survey.response", T0, id="s1", contact_id="c1", csat=5)])
    assert engine.apply(event("survey.response", T0, id="s1", contact_id="c1", csat=1)) == (
        "duplicate"
    )
    v = views(engine, NOW)
    assert field(engine, v.queues[("oslo", "", "")].windows["today"], "csat_sum") == 5


def test_too_late_events_are_rejected_counted_and_change_nothing() -> None:
    engine = run(config(allowed_lateness_s=600), contact("c1", T0 + 20 * MINUTE, wait_s=5))
    tables = repr(engine.state.tables)
    late = contact("c2", T0 + 5 * MINUTE, wait_s=5)  # 15 minutes behind the watermark
    assert [engine.apply(ev) for ev in late] == ["too_late", "too_late"]
    assert engine.counters["too_late"] == 2
    assert repr(engine.state.tables) == tables
    assert engine.watermarks["oslo"] == T0 + 20 * MINUTE + 5 * SECOND
    assert queue_figures(engine, T0 + 25 * MINUTE)["offered"].value == 1


def test_lateness_boundary_is_inclusive() -> None:
    engine = run(config(allowed_lateness_s=600), contact("c1", T0 + 20 * MINUTE))
    at_limit = contact("c2", T0 + 10 * MINUTE)[0]  # exactly 600 s behind
    past_limit = contact("c3", T0 + 10 * MINUTE - 1)[0]
    assert engine.apply(at_limit) == "applied"
    assert engine.apply(past_limit) == "too_late"


def test_lateness_is_judged_per_site() -> None:
    data = {"sites": {"oslo": {"timezone": "Europe/Oslo"}, "bergen": {"timezone": "Europe/Oslo"}}}
    engine = Engine(parse_config({**data, "engine": {"allowed_lateness_s": 60}}))
    engine.apply(event("contact.offered", T0 + 60 * MINUTE, site="oslo", contact_id="a",
                       queue="q", channel="voice"))  # fmt: skip
    # bergen's own newest event is what counts, not oslo's
    assert engine.apply(event("contact.offered", T0, site="bergen", contact_id="b",
                              queue="q", channel="voice")) == "applied"  # fmt: skip


def test_late_event_within_lateness_restates_its_own_bucket() -> None:
    engine = run(config(), contact("c1", T0 + 16 * MINUTE))
    before = views(engine, T0 + 17 * MINUTE).queues[("oslo", "billing", "voice")].windows
    assert field(engine, before.get("previous_15m"), "offered") == 0
    assert engine.apply(contact("c2", T0 + 7 * MINUTE, abandon_s=3)[0]) == "applied"
    after = views(engine, T0 + 17 * MINUTE).queues[("oslo", "billing", "voice")].windows
    # 09:07 lies in the previous interval (09:00-09:15), not in the current one (09:15-09:30)
    assert field(engine, after["previous_15m"], "offered") == 1
    assert field(engine, after["interval_15m"], "offered") == 1
    assert field(engine, after["today"], "offered") == 2
    assert field(engine, after["rolling_15m"], "offered") == 2  # 09:03-09:17 holds both
    # and an hour later the rolling window has forgotten both while today keeps them
    later = views(engine, T0 + 80 * MINUTE).queues[("oslo", "billing", "voice")].windows
    assert "rolling_15m" not in later
    assert field(engine, later["today"], "offered") == 2


def test_unknown_site_is_reported() -> None:
    engine = Engine(config())
    assert engine.apply(event("contact.offered", T0, site="bergen", contact_id="x",
                               queue="q", channel="voice")) == "unknown_site"  # fmt: skip
    assert engine.counters["unknown_site"] == 1
    assert engine.watermarks == {}


def test_redelivered_offsets_are_skipped() -> None:
    engine = Engine(config())
    first = contact("c1", T0)[0]
    assert engine.apply(first, 7) == "applied"
    assert engine.apply(contact("c2", T0)[0], 7) == "duplicate"  # offset already applied
    assert engine.counters["redelivered"] == 1
    assert queue_figures(engine, NOW)["offered"].value == 1


# --- live queues ---


def test_waiting_and_oldest_wait() -> None:
    events = (
        contact("c1", T0) + contact("c2", T0 + SECOND) + contact("c3", T0 + 2 * SECOND, wait_s=5)
    )
    q = views(run(config(), events), T0 + MINUTE).queues[("oslo", "billing", "voice")]
    assert (q.waiting, q.oldest_wait_ts) == (2, T0)


def test_answer_before_offer_does_not_leave_a_waiting_contact() -> None:
    offered, answered = contact("c1", T0, wait_s=5)
    q = views(run(config(), [answered, offered]), T0 + MINUTE).queues[("oslo", "billing", "voice")]
    assert q.waiting == 0


def _transfer_back() -> list[Event]:
    """billing → support → billing again, where the contact is still waiting."""
    first = contact("c1", T0, wait_s=10, talk_s=60)
    to_support = event("contact.transferred", T0 + 70 * SECOND, contact_id="c1",
                       queue="billing", channel="voice", agent="a1", team="red",
                       to_queue="support")  # fmt: skip
    second = contact("c1", T0 + 70 * SECOND, queue="support", wait_s=5, talk_s=30)
    back = event("contact.transferred", T0 + 105 * SECOND, contact_id="c1",
                 queue="support", channel="voice", agent="a3", team="blue",
                 to_queue="billing")  # fmt: skip
    waiting_again = contact("c1", T0 + 105 * SECOND)
    return [*first, to_support, *second, back, *waiting_again]


def test_a_contact_transferred_back_waits_in_its_first_queue_again() -> None:
    q = views(run(config(), _transfer_back()), T0 + 2 * MINUTE).queues
    assert q[("oslo", "billing", "voice")].waiting == 1
    assert q[("oslo", "billing", "voice")].oldest_wait_ts == T0 + 105 * SECOND
    assert q[("oslo", "support", "voice")].waiting == 0


def test_live_queue_does_not_depend_on_arrival_order_of_legs() -> None:
    events = _transfer_back()
    expected = views(run(config(), events), T0 + 2 * MINUTE).queues
    for seed in range(30):
        shuffled = list(events)
        random.Random(seed).shuffle(shuffled)  # all within two minutes: never too late
        got = views(run(config(), shuffled), T0 + 2 * MINUTE).queues
        assert {k: (q.waiting, q.oldest_wait_ts) for k, q in got.items()} == {
            k: (q.waiting, q.oldest_wait_ts) for k, q in expected.items()
        }, seed


def test_sync_contacts_waiting_over_four_hours_are_treated_as_lost() -> None:
    engine = run(config(), contact("c1", T0))
    assert views(engine, T0 + 4 * 60 * MINUTE).queues[("oslo", "billing", "voice")].waiting == 1
    stale = views(engine, T0 + 4 * 60 * MINUTE + 1).queues[("oslo", "billing", "voice")]
    assert stale.waiting == 0


def test_email_backlog_open_until_resolved_and_waiting_until_first_response() -> None:
    common = {"contact_id": "m1", "queue": "billing", "channel": "email"}
    who = {"agent": "a1", "team": "red", "received_ts": T0}
    events = [
        event("contact.offered", T0, **common),
        event("contact.first_response", T0 + 10 * MINUTE, **who, **common),
    ]
    engine = run(config(), events)
    q = views(engine, T0 + 11 * MINUTE).queues[("oslo", "billing", "email")]
    assert (q.waiting, q.backlog, q.oldest_open_ts) == (0, 1, T0)
    engine.apply(event("contact.resolved", T0 + 20 * MINUTE, **who, **common))
    q = views(engine, T0 + 21 * MINUTE).queues[("oslo", "billing", "email")]
    assert (q.waiting, q.backlog, q.oldest_open_ts) == (0, 0, None)


def test_per_contact_state_is_forgotten() -> None:
    # A lost feed leaves entries that never close (c1 waits, m1 is never resolved); after the
    # contact TTL nothing of them is kept. Exit times are dropped once older than the lateness.
    cfg = config(contact_ttl_s=3600, allowed_lateness_s=60, dedup_ttl_s=120)
    email = {"contact_id": "m1", "queue": "billing", "channel": "email"}
    engine = run(cfg, [*contact("c1", T0), *contact("c2", T0, wait_s=5),
                       event("contact.offered", T0, **email)])  # fmt: skip
    assert engine.state.tables[EXITS]  # c2's exit from the queue
    engine.apply(contact("k0", T0 + 61 * MINUTE)[0])  # next hour: the sweep runs
    assert not engine.state.tables[EXITS]
    for i in range(1, 70):
        engine.apply(contact(f"k{i}", T0 + (61 + i) * MINUTE)[0])
    for table in (CONTACTS, WAITING, BACKLOG, EXITS):
        assert not [k for k in engine.state.tables[table] if k[1] in ("c1", "c2", "m1")], table


def _two_legs_in_one_queue(finished: bool) -> list[Event]:
    common = {"contact_id": "c1", "queue": "billing", "channel": "voice"}
    who = {"agent": "a1", "team": "red"}
    legs = [
        event("contact.offered", T0, **common),
        event("contact.answered", T0 + 10 * SECOND, wait_s=10, **who, **common),
        event("contact.offered", T0 + 60 * SECOND, **common),  # back in the same queue
    ]
    if finished:
        legs.append(event("contact.answered", T0 + 70 * SECOND, wait_s=10, **who, **common))
    return legs


@pytest.mark.parametrize("finished", [True, False])
def test_live_queue_is_the_same_for_every_order_of_two_legs(finished: bool) -> None:
    # open iff the latest entry is after the latest exit, whatever arrives first: a late exit of
    # the first leg must not close the second, nor a late first entry reopen a finished contact
    expected = (0, None) if finished else (1, T0 + 60 * SECOND)
    for order in itertools.permutations(_two_legs_in_one_queue(finished)):
        q = views(run(config(), order), T0 + 2 * MINUTE).queues[("oslo", "billing", "voice")]
        assert (q.waiting, q.oldest_wait_ts) == expected, [e.ts - T0 for e in order]


def test_events_ahead_of_the_wall_clock_by_more_than_the_skew_are_from_future() -> None:
    now = [T0 / 1000]
    engine = Engine(config(max_future_skew_s=300), clock=lambda: now[0])

    def offered(cid: str, ts: int) -> Event:
        return event("contact.offered", ts, contact_id=cid, queue="billing", channel="voice")

    assert engine.apply(offered("c1", T0 + 300_000)) == "applied"  # exactly the skew: fine
    assert engine.apply(offered("c2", T0 + 300_001)) == "from_future"
    assert engine.apply(offered("c3", 32_472_144_000_000)) == "from_future"  # year 2999
    assert engine.watermarks == {"oslo": T0 + 300_000}
    assert engine.counters["from_future"] == 2
    now[0] += 1  # the clock moves on: the same event time is now within the skew
    assert engine.apply(offered("c2", T0 + 300_001)) == "applied"


def test_queue_names_outside_the_configuration_are_bounded_per_site() -> None:
    # issue 12, row 6: 10,000 unknown queue names made 20,001 snapshot records per publish
    cfg = parse_config({**BASE_CONFIG, "limits": {"max_unknown_queues": 3}})
    engine = Engine(cfg)
    engine.apply_all(contact("c1", T0, wait_s=5, talk_s=60))
    stray = [
        event("contact.offered", T0 + i, contact_id=f"s{i}", queue=f"q{i}", channel="voice")
        for i in range(10_000)
    ]
    assert engine.apply_all(stray) == {"applied": 3, "unknown_queue": 9_997}
    queues = {r.queue for r in snapshot(engine, T0 + MINUTE, "p") if isinstance(r, QueueSnapshot)}
    assert queues == {"billing", "q0", "q1", "q2"}
    # configured queues are always accepted, and a restored engine keeps the same three
    assert engine.apply(event("contact.offered", T0, contact_id="x", queue="support",
                              channel="voice")) == "applied"  # fmt: skip
    restored = Engine(cfg)
    checkpoint = engine.checkpoint(10**6)
    restored.restore([], checkpoint)  # the write-ahead record alone holds every key
    assert restored.apply(stray[1]) == "duplicate"
    late = event("contact.offered", T0, contact_id="y", queue="q2", channel="voice")
    assert restored.apply(late) == "applied"
    assert restored.apply(event("contact.offered", T0, contact_id="z", queue="q9",
                                channel="voice")) == "unknown_queue"  # fmt: skip


def test_team_names_are_bounded_per_site() -> None:
    # issue 12: teams are not configured, so invented team names grew cells, records and series
    cfg = parse_config({**BASE_CONFIG, "limits": {"max_teams_per_site": 3}})
    engine = Engine(cfg)
    stray = [
        event("agent.state", T0 + i, agent=f"a{i}", team=f"t{i}", state="ready")
        for i in range(1_000)
    ]
    assert engine.apply_all(stray) == {"applied": 3, "too_many_teams": 997}
    answered = contact("c1", T0 + 2_000, wait_s=5, talk_s=60, team="t9")
    assert engine.apply_all(answered)["too_many_teams"] >= 1  # its offer is applied
    records = snapshot(engine, T0 + 5 * MINUTE, "p")
    assert {r.team for r in records if isinstance(r, TeamSnapshot)} == {"t0", "t1", "t2"}
    # a restored engine admits the same three and no other
    restored = Engine(cfg)
    restored.restore([], engine.checkpoint(10**6))
    busy = event("agent.state", T0 + 3_000, agent="a1", team="t1", state="busy")
    assert restored.apply(busy) == "applied"
    other = event("agent.state", T0 + 3_000, agent="b", team="t8", state="busy")
    assert restored.apply(other) == "too_many_teams"
