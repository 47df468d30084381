"""Duplicates, lateness, unknown sites and survey attribution in either order."""

from __future__ import annotations

from streams.engine.engine import Engine
from streams.events.model import event_type
from tests.factory import MINUTE, SECOND, T0, config, contact, event
from tests.streams.engine.helpers import queue_figures, run, views

NOW = T0 + 10 * MINUTE


def test_duplicate_ids_are_ignored_and_counted() -> None:
    offered = contact("c1", T0)[0]
    engine = Engine(config())
    assert engine.apply(offered) == "applied"
    assert engine.apply(offered) == "duplicate"
    assert engine.counters["duplicates"] == 1
    assert queue_figures(engine, NOW)["offered"].value == 1


def test_too_late_events_are_rejected_and_counted() -> None:
    engine = run(config(allowed_lateness_s=600), contact("c1", T0 + 20 * MINUTE))
    late = contact("c2", T0 + 5 * MINUTE)[0]  # 15 minutes behind the watermark
    assert engine.apply(late) == "too_late"
    assert engine.counters["too_late"] == 1
    assert queue_figures(engine, T0 + 25 * MINUTE)["offered"].value == 1


def test_late_event_within_lateness_restates_its_own_bucket() -> None:
    engine = run(config(), contact("c1", T0 + 9 * MINUTE))
    engine.apply(contact("c2", T0 + 1 * MINUTE)[0])  # 8 minutes late, allowed
    # 09:00-09:15 local holds both; the late one sits in its own minute, so rolling 15 m at
    # 09:14 counts it while rolling 15 m an hour later no longer does
    assert queue_figures(engine, T0 + 14 * MINUTE, "interval_15m")["offered"].value == 2
    assert queue_figures(engine, T0 + 16 * MINUTE, "previous_15m")["offered"].value == 2
    assert queue_figures(engine, T0 + 16 * MINUTE, "rolling_15m")["offered"].value == 1


def test_unknown_site_is_reported() -> None:
    engine = Engine(config())
    assert engine.apply(event("contact.offered", T0, site="bergen", contact_id="x",
                               queue="q", channel="voice")) == "unknown_site"  # fmt: skip
    assert engine.counters["unknown_site"] == 1


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


SURVEY = event("survey.response", T0 + 3 * MINUTE, contact_id="c1", csat=2, nps=3)


def test_survey_before_its_contact_is_unattributed_then_moved() -> None:
    engine = run(config(), [SURVEY])
    v = views(engine, NOW)
    assert v.queues[("oslo", "", "")].windows["today"][engine.layout.index["csat_n"]] == 1
    for ev in contact("c1", T0 + MINUTE, wait_s=10, team="blue"):
        engine.apply(ev)
    v = views(engine, NOW)
    assert ("oslo", "", "") not in v.queues  # nothing left unattributed
    assert queue_figures(engine, NOW)["csat_mean"].value == 2.0
    assert ("oslo", "blue") in v.teams
    # the site total never changed
    assert v.site_windows("oslo")["today"][engine.layout.index["csat_n"]] == 1


def test_survey_after_its_contact_goes_to_the_answering_agent_team() -> None:
    engine = run(config(), [*contact("c1", T0, wait_s=10, team="blue"), SURVEY])
    v = views(engine, NOW)
    assert ("oslo", "", "") not in v.queues
    assert v.teams[("oslo", "blue")].windows["today"][engine.layout.index["nps_detractors"]] == 1


def test_transfer_reattributes_to_the_latest_answer() -> None:
    first = contact("c1", T0, wait_s=10, team="blue")
    second = contact("c1", T0 + 2 * MINUTE, queue="support", wait_s=10, team="green")
    second = [event(event_type(ev), ev.ts, **{  # fresh ids for the second leg
        k: getattr(ev, k) for k in ev.__struct_fields__ if k not in ("v", "id", "ts", "site")
    }) for ev in second]  # fmt: skip
    engine = run(config(), [*first, SURVEY, *second])
    v = views(engine, NOW)
    idx = engine.layout.index["csat_n"]
    assert v.teams[("oslo", "green")].windows["today"][idx] == 1
    assert v.teams[("oslo", "blue")].windows["today"][idx] == 0


def test_survey_for_an_expired_contact_stays_unattributed() -> None:
    ttl = 3600
    cfg = config(contact_ttl_s=ttl, allowed_lateness_s=60, dedup_ttl_s=120)
    engine = run(cfg, contact("c1", T0, wait_s=10))
    # keep the feed moving for two hours so the contact record expires
    for i in range(1, 130):
        engine.apply(contact(f"k{i}", T0 + i * MINUTE)[0])
    late_survey = event("survey.response", T0 + 130 * MINUTE, contact_id="c1", csat=5)
    engine.apply(late_survey)
    v = views(engine, T0 + 131 * MINUTE)
    assert v.queues[("oslo", "", "")].windows["today"][engine.layout.index["csat_n"]] == 1


def test_survey_moves_correctly_after_its_minute_rolled_up() -> None:
    engine = run(config(), [SURVEY])  # unattributed, at T0 + 3 min
    for i in range(1, 121):  # two hours of traffic: the survey's minute rolls up into its quarter
        engine.apply(contact(f"k{i}", T0 + 3 * MINUTE + i * MINUTE)[0])
    assert not [k for k in engine.state.tables["m"] if k[-1] <= T0 + 3 * MINUTE]
    for ev in contact("c1", T0 + 123 * MINUTE, wait_s=10, team="blue"):
        engine.apply(ev)
    v = views(engine, T0 + 125 * MINUTE)
    idx = engine.layout.index["csat_n"]
    assert ("oslo", "", "") not in v.queues
    assert v.teams[("oslo", "blue")].windows["today"][idx] == 1
    assert v.site_windows("oslo")["today"][idx] == 1
    assert v.site_windows("oslo")["today"][engine.layout.index["offered"]] == 121
