"""Surveys and QA evaluations go to the queue, channel, agent and team of their contact, whichever
arrives first; until the contact is known they wait in the site's unattributed cell."""

from __future__ import annotations

import pytest

from floorboard.engine.engine import Engine
from floorboard.engine.tables import AGENT_QUALITY, CELL_MINUTES, CELL_QUARTERS, WEEK_QUARTERS
from floorboard.engine.windows import QUARTER_MS, Tier, retention_ms
from floorboard.events.model import Event
from tests.engine.helpers import field, quality_key, queue_figures, run, views
from tests.factory import MINUTE, SECOND, T0, config, contact, event

NOW = T0 + 10 * MINUTE
UNATTRIBUTED = ("oslo", "", "")
SURVEY = event("survey.response", T0 + 3 * MINUTE, contact_id="c1", csat=2, nps=3, fcr=True)
QA = event("qa.evaluation", T0 + 4 * MINUTE, contact_id="c1", score=7, max_score=10)


def test_survey_before_its_contact_is_unattributed_then_moved() -> None:
    engine = run(config(), [SURVEY])
    v = views(engine, NOW)
    cell = v.queues[UNATTRIBUTED]
    assert (cell.queue, cell.channel) == ("", "")
    assert field(engine, cell.windows["today"], "csat_n") == 1
    assert not v.teams  # the unattributed cell belongs to no team
    before = v.site_windows("oslo")

    engine.apply_all(contact("c1", T0 + MINUTE, wait_s=10, agent="a7", team="blue"))
    v = views(engine, NOW)
    assert UNATTRIBUTED not in v.queues  # nothing left unattributed
    billing = v.queues[("oslo", "billing", "voice")].windows["today"]
    assert field(engine, billing, "csat_sum") == 2
    assert field(engine, billing, "fcr_yes") == 1
    assert field(engine, v.teams[("oslo", "blue")].windows["today"], "nps_detractors") == 1
    # site totals of every survey field are unchanged by the move, in every window
    after = v.site_windows("oslo")
    for window, vector in before.items():
        for name in ("surveys", "csat_n", "csat_sum", "csat_sq_sum", "nps_n", "fcr_yes"):
            assert field(engine, after[window], name) == field(engine, vector, name), window


def test_survey_after_its_contact_goes_straight_to_the_answering_team() -> None:
    engine = run(config(), [*contact("c1", T0, wait_s=10, team="blue"), SURVEY])
    v = views(engine, NOW)
    assert UNATTRIBUTED not in v.queues
    assert field(engine, v.teams[("oslo", "blue")].windows["today"], "csat_n") == 1


def test_either_arrival_order_gives_the_same_views() -> None:
    legs = contact("c1", T0, wait_s=10, talk_s=30, acw_s=5, team="blue")
    first = views(run(config(), [*legs, SURVEY, QA]), NOW)
    second = views(run(config(), [QA, SURVEY, *reversed(legs)]), NOW)
    assert first.queues == second.queues
    assert {k: t.windows for k, t in first.teams.items()} == {
        k: t.windows for k, t in second.teams.items()
    }


def test_attribution_is_to_the_team_at_contact_time() -> None:
    # a1 answers for red, then moves to blue before the survey arrives: the survey stays red's
    events = [
        *contact("c1", T0, wait_s=10, agent="a1", team="red"),
        event("agent.state", T0 + MINUTE, agent="a1", team="blue", state="ready"),
        *contact("c2", T0 + 2 * MINUTE, wait_s=10, agent="a1", team="blue"),
        SURVEY,
    ]
    engine = run(config(), events)
    v = views(engine, NOW)
    assert field(engine, v.teams[("oslo", "red")].windows["today"], "csat_n") == 1
    assert field(engine, v.teams[("oslo", "blue")].windows["today"], "csat_n") == 0


def test_an_answer_outranks_an_offer_whatever_the_order() -> None:
    # an offer arriving after the answer must not pull the survey back to team ""
    offered, answered = contact("c1", T0, wait_s=10, team="blue")
    engine = run(config(), [answered, SURVEY, offered])
    v = views(engine, NOW)
    assert field(engine, v.teams[("oslo", "blue")].windows["today"], "csat_n") == 1


def test_a_contact_never_answered_attributes_to_its_queue_only() -> None:
    engine = run(config(), [*contact("c1", T0, abandon_s=30), SURVEY, QA])
    v = views(engine, NOW)
    assert queue_figures(engine, NOW)["csat_mean"].value == 2.0
    assert not v.teams  # no agent, no team, no per-agent quality


def test_transfer_reattributes_to_the_latest_answer() -> None:
    first = contact("c1", T0, wait_s=10, team="blue")
    second = contact("c1", T0 + 2 * MINUTE, queue="support", wait_s=10, team="green")
    engine = run(config(), [*first, SURVEY, *second])
    v = views(engine, NOW)
    assert field(engine, v.teams[("oslo", "green")].windows["today"], "csat_n") == 1
    assert field(engine, v.teams[("oslo", "blue")].windows["today"], "csat_n") == 0
    assert field(engine, v.queues[("oslo", "support", "voice")].windows["today"], "csat_n") == 1
    billing = v.queues[("oslo", "billing", "voice")].windows.get("today")
    assert field(engine, billing, "csat_n") == 0


def test_feedback_counts_in_the_window_of_its_own_time() -> None:
    # contact at 09:00, survey at 09:20: the survey is in 09:15-09:30, not in 09:00-09:15
    late_survey = event("survey.response", T0 + 20 * MINUTE, contact_id="c1", csat=5)
    engine = run(config(), [*contact("c1", T0, wait_s=10), late_survey])
    q = views(engine, T0 + 21 * MINUTE).queues[("oslo", "billing", "voice")].windows
    assert field(engine, q["interval_15m"], "csat_n") == 1
    assert field(engine, q["previous_15m"], "csat_n") == 0


def test_survey_for_an_expired_contact_stays_unattributed() -> None:
    cfg = config(contact_ttl_s=3600, allowed_lateness_s=60, dedup_ttl_s=120)
    engine = run(cfg, contact("c1", T0, wait_s=10))
    for i in range(1, 130):  # two hours of other traffic: the hourly sweep forgets c1
        engine.apply(contact(f"k{i}", T0 + i * MINUTE)[0])
    engine.apply(event("survey.response", T0 + 130 * MINUTE, contact_id="c1", csat=5))
    v = views(engine, T0 + 131 * MINUTE)
    assert field(engine, v.queues[UNATTRIBUTED].windows["today"], "csat_n") == 1
    assert field(engine, v.teams[("oslo", "red")].windows["today"], "csat_n") == 0


def test_survey_within_the_ttl_is_still_attributed() -> None:
    cfg = config(contact_ttl_s=3 * 3600, allowed_lateness_s=60, dedup_ttl_s=120)
    engine = run(cfg, contact("c1", T0, wait_s=10, team="blue"))
    for i in range(1, 130):
        engine.apply(contact(f"k{i}", T0 + i * MINUTE)[0])
    engine.apply(event("survey.response", T0 + 130 * MINUTE, contact_id="c1", csat=5))
    v = views(engine, T0 + 131 * MINUTE)
    assert UNATTRIBUTED not in v.queues
    assert field(engine, v.teams[("oslo", "blue")].windows["today"], "csat_n") == 1


def test_survey_moves_correctly_after_its_minute_rolled_up() -> None:
    engine = run(config(), [SURVEY])  # unattributed, at 09:03
    for i in range(1, 121):  # two hours of traffic: the survey's minute rolls up into 09:00-09:15
        engine.apply(contact(f"k{i}", T0 + 3 * MINUTE + i * MINUTE)[0])
    assert not [k for k in engine.state.tables[CELL_MINUTES] if k[-1] <= T0 + 3 * MINUTE]
    engine.apply_all(contact("c1", T0 + 123 * MINUTE, wait_s=10, team="blue"))
    v = views(engine, T0 + 125 * MINUTE)
    assert UNATTRIBUTED not in v.queues
    assert field(engine, v.teams[("oslo", "blue")].windows["today"], "csat_n") == 1
    assert field(engine, v.site_windows("oslo")["today"], "csat_n") == 1
    assert field(engine, v.site_windows("oslo")["today"], "offered") == 121


def _bound_moves(lateness_s: int) -> list[int]:
    """Times around the two bounds of the survey's buckets (09:03, in 09:00-09:15): where its
    minute rolls up into its quarter, and where its quarter is evicted to the week table. Every
    20 s from 2.5 min before each to a quarter and 2.5 min after it."""
    lateness = lateness_s * SECOND
    bounds = (
        T0 + 3 * MINUTE + retention_ms(Tier.MINUTE, lateness),
        T0 + retention_ms(Tier.QUARTER, lateness),
    )
    offsets = range(-150 * SECOND, QUARTER_MS + 150 * SECOND, 20 * SECOND)
    return [bound + offset for bound in bounds for offset in offsets]


def _assert_counted_once(engine: Engine, label: str) -> tuple[str, str]:
    """The survey and QA are each in exactly one cell bucket, and no bucket holds a negative sum.
    Returns the table and the team of the survey's bucket."""
    tables = engine.state.tables
    cells = [(t, k, v) for t in (CELL_MINUTES, CELL_QUARTERS, WEEK_QUARTERS)
             for k, v in tables[t].items()]  # fmt: skip
    negative = [(t, k) for t, k, v in cells if min(v) < 0]
    negative += [(AGENT_QUALITY, k) for k, v in tables[AGENT_QUALITY].items() if min(v) < 0]
    assert not negative, label
    for name in ("qa_n", "csat_n"):
        holding = [(t, k, field(engine, v, name)) for t, k, v in cells if field(engine, v, name)]
        assert [n for *_, n in holding] == [1], (label, holding)
    table, key, _ = holding[0]
    return table, str(key[3])


@pytest.mark.parametrize("lateness_s", [600, 90])  # 90 s: a minute bound within the minute
@pytest.mark.parametrize("transfer", [False, True])
def test_a_move_at_the_roll_up_or_eviction_bound_finds_what_was_added(
    lateness_s: int, transfer: bool
) -> None:
    # The survey and QA wait unattributed (or are alice's), then the contact is answered (or
    # transferred to bob) just before, at or after the survey's minute rolls up and its quarter
    # leaves for the week table: the move takes them out of the bucket that holds them, or of
    # none if it is gone, never out of an emptied or a recreated one.
    cfg = config(allowed_lateness_s=lateness_s)
    first = contact("c1", T0, wait_s=10, agent="alice", team="red") if transfer else []
    before = "red" if transfer else ""
    moved: set[str] = set()
    for at in _bound_moves(lateness_s):
        engine = run(cfg, [*first, SURVEY, QA])
        for ev in contact("c1", at, wait_s=5, agent="bob", team="blue"):
            engine.apply(ev)
            label = f"{type(ev).__name__} at T0 + {(ev.ts - T0) / SECOND} s"
            table, team = _assert_counted_once(engine, label)
        # moved to blue while kept; not moved once in the week table (final, past every window)
        assert team == (before if table == WEEK_QUARTERS else "blue"), label
        moved.add(team)
        # and the next minute's housekeeping leaves them counted once, where they were
        engine.apply(contact("k", at + MINUTE)[0])
        label = f"a minute after T0 + {(at - T0) / SECOND} s"
        assert _assert_counted_once(engine, label)[1] == team, label
    assert moved == {before, "blue"}  # the moves straddle the eviction


def test_qa_and_per_agent_quality_follow_the_answering_agent() -> None:
    events: list[Event] = [QA, SURVEY, *contact("c1", T0, wait_s=10, agent="alice", team="blue")]
    engine = run(config(), events)
    team = views(engine, NOW).teams[("oslo", "blue")]
    assert field(engine, team.windows["today"], "qa_score_milli") == 7000
    # per-agent sums [csat_n, csat_sum, qa_n, qa_score_milli, qa_max_milli] under a pseudonym
    alice = quality_key(engine.config, "oslo", "alice", NOW)
    assert team.agent_quality == {alice: [1, 2, 1, 7000, 10000]}


@pytest.mark.parametrize("qa_before_transfer", [True, False])
def test_per_agent_quality_moves_with_a_transfer(qa_before_transfer: bool) -> None:
    first = contact("c1", T0, wait_s=10, agent="alice", team="blue")
    second = contact("c1", T0 + 2 * MINUTE, wait_s=5, agent="bob", team="blue")
    events = [*first, QA, *second] if qa_before_transfer else [*first, *second, QA]
    quality = views(run(config(), events), NOW).teams[("oslo", "blue")].agent_quality
    # all of it is bob's; alice, left with nothing, is not listed (in either order)
    assert quality == {quality_key(config(), "oslo", "bob", NOW): [0, 0, 1, 7000, 10000]}


@pytest.mark.parametrize("survey_first", [True, False])
def test_survey_only_with_nps_adds_no_agent_quality(survey_first: bool) -> None:
    nps_only = event("survey.response", T0 + MINUTE, contact_id="c1", nps=10)
    legs = contact("c1", T0, wait_s=5, agent="alice", team="blue")
    engine = run(config(), [nps_only, *legs] if survey_first else [*legs, nps_only])
    team = views(engine, NOW).teams[("oslo", "blue")]
    assert field(engine, team.windows["today"], "nps_promoters") == 1
    assert all(not any(v) for v in team.agent_quality.values())


def test_unanswered_survey_fields_count_nothing() -> None:
    engine = run(config(), [event("survey.response", T0, contact_id="c9", ces=6)])
    cell = views(engine, NOW).queues[UNATTRIBUTED].windows["today"]
    assert [field(engine, cell, n) for n in ("surveys", "csat_n", "nps_n", "fcr_n", "ces_n")] == [
        1, 0, 0, 0, 1,
    ]  # fmt: skip
    assert field(engine, cell, "ces_sq_sum") == 36
