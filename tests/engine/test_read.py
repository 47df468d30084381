"""Reading an engine: windows are sums of whole buckets, so periods merge by addition, "today" is
the sum of its intervals, and the minute and quarter tiers agree; snapshot records carry it all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.config import Config
from floorboard.engine.engine import Engine
from floorboard.engine.layout import summed
from floorboard.engine.read import clock, layout_id, snapshot
from floorboard.engine.snapshot import QueueSnapshot, SourceStatus, TeamSnapshot
from floorboard.engine.views import Views, merge
from floorboard.engine.windows import QUARTER_MS, Tier, bucket_start, local_midnight
from floorboard.events.model import ContactBase, Event
from tests.engine.helpers import OSLO, feed, quality_key, records, run, views
from tests.engine.strategies import LATEST_S, by_event_time, centre_events
from tests.factory import MINUTE, SECOND, T0, config, contact, event

CFG: Config = config(allowed_lateness_s=600)
END = T0 + (LATEST_S + 600) * SECOND

Windows = dict[tuple[str, ...], dict[str, list[int]]]


def all_windows(v: Views) -> Windows:
    out: Windows = {("queue", *k): q.windows for k, q in v.queues.items()}
    out.update({("team", *k): t.windows for k, t in v.teams.items()})
    return out


def lifecycle(events: list[Event]) -> list[Event]:
    """Contact events only: each counts in its own bucket with no state shared across a cut."""
    return [e for e in events if isinstance(e, ContactBase)]


@settings(max_examples=50, deadline=None)
@given(centre_events(), st.integers(0, LATEST_S))
def test_two_periods_merged_by_addition_equal_the_whole(events: list[Event], cut_s: int) -> None:
    events = by_event_time(lifecycle(events))
    cut = T0 + cut_s * SECOND
    before = Engine(CFG)
    feed(before, [e for e in events if e.ts < cut])
    after = Engine(CFG)
    feed(after, [e for e in events if e.ts >= cut])
    whole = Engine(CFG)
    feed(whole, events)
    assert all_windows(merge(records([before, after], END))) == all_windows(
        merge(records([whole], END))
    )


@settings(max_examples=40, deadline=None)
@given(centre_events())
def test_today_is_the_sum_of_its_intervals(events: list[Event]) -> None:
    assert max(e.ts for e in events) < END  # nothing lies in the future of the read
    engine = Engine(CFG)
    feed(engine, by_event_time(events))
    today = views(engine, END)
    midnight = local_midnight(END, OSLO)
    quarters = range(midnight, bucket_start(END, Tier.QUARTER) + 1, QUARTER_MS)
    by_quarter = [views(engine, q + MINUTE) for q in quarters]  # read inside each quarter
    for key, q in today.queues.items():
        size = len(q.windows["today"])
        parts = [v.queues[key].windows.get("interval_15m") for v in by_quarter if key in v.queues]
        assert summed((p for p in parts if p is not None), size) == q.windows["today"], key
        halves = [v.queues[key].windows.get("interval_30m") for v in by_quarter[::2]
                  if key in v.queues]  # fmt: skip
        assert summed((p for p in halves if p is not None), size) == q.windows["today"], key
    for team_key, t in today.teams.items():
        if "today" not in t.windows:
            continue  # a team with agent time or pulse only
        parts = [v.teams[team_key].windows.get("interval_15m") for v in by_quarter
                 if team_key in v.teams]  # fmt: skip
        total = summed((p for p in parts if p is not None), len(t.windows["today"]))
        assert total == t.windows["today"], team_key


@settings(max_examples=40, deadline=None)
@given(centre_events(), st.integers(1, 4 * 60))
def test_minute_and_quarter_tiers_agree(events: list[Event], stop_min: int) -> None:
    # Stop anywhere in the stream; the last full quarter is still in the minute tier, so the
    # rolling window ending at it (minute buckets) equals the interval (quarter tier, which holds
    # rolled-up minutes and the minutes not yet rolled up).
    stop = T0 + stop_min * MINUTE
    engine = Engine(CFG)
    feed(engine, [e for e in by_event_time(events) if e.ts < stop])
    wm = engine.watermarks.get("oslo", T0)
    at = bucket_start(wm, Tier.QUARTER) - SECOND
    v = views(engine, at)
    for key, q in v.queues.items():
        assert q.windows.get("rolling_15m") == q.windows.get("interval_15m"), key
    for team_key, t in v.teams.items():
        assert t.windows.get("rolling_15m") == t.windows.get("interval_15m"), team_key
        assert t.agent_time.get("rolling_15m") == t.agent_time.get("interval_15m"), team_key
    if (at + SECOND) % (30 * MINUTE) == 0:  # :29:59 or :59:59: the half hour too
        for key, q in v.queues.items():
            assert q.windows.get("rolling_30m") == q.windows.get("interval_30m"), key


# --- snapshot records ---


def test_snapshot_records_one_per_queue_and_team_and_a_status() -> None:
    events = [
        *contact("c1", T0, wait_s=5, talk_s=60, team="red"),
        *contact("c2", T0, queue="support", wait_s=5, team="blue"),
        event("agent.state", T0, agent="a9", team="green", state="ready"),
        event("survey.response", T0, contact_id="nobody", csat=3),
    ]
    recs = snapshot(run(config(), events), T0 + MINUTE, "src")
    queues = [(r.site, r.queue, r.channel) for r in recs if isinstance(r, QueueSnapshot)]
    teams = [(r.site, r.team) for r in recs if isinstance(r, TeamSnapshot)]
    assert queues == [("oslo", "", ""), ("oslo", "billing", "voice"), ("oslo", "support", "voice")]
    assert teams == [("oslo", "blue"), ("oslo", "green"), ("oslo", "red")]
    status = recs[-1]
    assert isinstance(status, SourceStatus)
    assert status.counters == {"applied": 7} and status.watermarks == {"oslo": T0 + 65 * SECOND}
    assert {r.source for r in recs} == {"src"} and {r.as_of for r in recs} == {T0 + MINUTE}


def test_windows_without_any_count_are_left_out() -> None:
    engine = run(config(), contact("c1", T0))
    q = views(engine, T0 + 2 * 60 * MINUTE).queues[("oslo", "billing", "voice")]
    # two hours later the rolling windows and intervals are empty; only today remains
    assert set(q.windows) == {"today"}
    assert q.waiting == 1  # the live queue is there without any window


def test_a_moved_survey_leaves_no_unattributed_record() -> None:
    engine = run(config(), [event("survey.response", T0, contact_id="c1", csat=4)])
    engine.apply_all(contact("c1", T0 - MINUTE, wait_s=5))
    recs = snapshot(engine, T0 + MINUTE, "x")
    assert not [r for r in recs if isinstance(r, QueueSnapshot) and r.queue == ""]


def test_layout_id_names_the_histogram_bounds() -> None:
    a, b = Engine(config()), Engine(config(short_abandon_s=7))  # adds a 7 s wait bound
    assert layout_id(a.layout) == layout_id(Engine(config()).layout)
    assert layout_id(a.layout) != layout_id(b.layout)


def test_pseudonyms_are_stable_within_a_day_and_per_site() -> None:
    cfg = config()
    alice = quality_key(cfg, "oslo", "alice", T0)
    assert alice == quality_key(cfg, "oslo", "alice", T0 + MINUTE)
    assert "alice" not in alice and len(alice) == 16
    other_site = cfg.model_copy(update={"sites": {**cfg.sites, "bergen": cfg.sites["oslo"]}})
    assert alice != quality_key(other_site, "bergen", "alice", T0)


def test_read_clock_runs_ahead_with_a_replay() -> None:
    engine = run(config(), contact("c1", T0))
    assert clock(engine, T0 - MINUTE) == T0  # events from the future: read at the newest
    assert clock(engine, T0 + MINUTE) == T0 + MINUTE
    assert clock(Engine(config()), 5) == 5
