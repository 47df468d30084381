"""Counters and histograms never go down, except at the documented reset: the site's midnight.

Events arrive out of order (within the allowed lateness), surveys arrive before their contacts and
contacts are re-answered in another queue, which moves survey answers between the engine's cells.
Every series seen at one scrape must still be there, at least as large, at the next.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.events.model import Event
from tests.factory import MINUTE, SECOND, T0, config, contact, event
from tests.metrics.scrape import Partitions, SeriesKey, families, samples, total

CFG = config()
QUEUES = (("billing", "voice"), ("billing", "chat"), ("support", "voice"), ("billing", "email"))
MONOTONIC = ("counter", "histogram")


def contact_events(cid: str, data: st.DataObject) -> list[Event]:
    """One contact's events; sometimes with a survey before the contact and a second answer."""
    queue, channel = data.draw(st.sampled_from(QUEUES))
    start = T0 + data.draw(st.integers(0, 80 * 60)) * SECOND
    outcome = data.draw(st.sampled_from(["answered", "abandoned", "waiting"]))
    team = data.draw(st.sampled_from(["red", "blue"]))
    out: list[Event] = contact(
        cid, start, queue=queue, channel=channel, team=team,
        wait_s=data.draw(st.integers(0, 120)) if outcome == "answered" else None,
        abandon_s=data.draw(st.integers(0, 60)) if outcome == "abandoned" else None,
        talk_s=data.draw(st.integers(0, 300)), hold_s=0, acw_s=data.draw(st.integers(0, 60)),
    )  # fmt: skip
    if outcome == "answered" and data.draw(st.booleans()):
        # transferred and answered again in another queue: the survey follows the last answer
        moved = start + data.draw(st.integers(1, 5)) * MINUTE
        other = "support" if queue == "billing" else "billing"
        out.append(event("contact.transferred", moved, contact_id=cid, queue=queue,
                         channel=channel, agent="a1", team=team, to_queue=other))  # fmt: skip
        out += contact(cid, moved, queue=other, channel="voice", wait_s=10, team="blue")
    if data.draw(st.booleans()):
        # may be stamped before the contact was offered: it waits unattributed, then moves
        at = start + data.draw(st.integers(-5 * 60, 20 * 60)) * SECOND
        out.append(event("survey.response", at, contact_id=cid,
                         csat=data.draw(st.integers(1, 5)), nps=data.draw(st.integers(0, 10)),
                         fcr=data.draw(st.booleans()), ces=data.draw(st.integers(1, 7))))  # fmt: skip
    if data.draw(st.booleans()):
        at = start + data.draw(st.integers(0, 30)) * MINUTE
        out.append(event("qa.evaluation", at, contact_id=cid, score=7, max_score=10))
    return out


def assert_grown(before: dict[SeriesKey, float], after: dict[SeriesKey, float]) -> None:
    for key, value in before.items():
        assert key in after, f"series vanished within the day: {key}"
        assert after[key] >= value, f"{key} went down: {value} -> {after[key]}"


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_counters_only_grow_within_a_day(data: st.DataObject) -> None:
    events: list[Event] = []
    for i in range(data.draw(st.integers(1, 25))):
        events += contact_events(f"c{i}", data)
    # delivered out of order, each at most 5 minutes late (the allowed lateness is 10)
    delay = {ev.id: data.draw(st.integers(0, 5 * 60)) * SECOND for ev in events}
    events.sort(key=lambda ev: ev.ts + delay[ev.id])
    every = data.draw(st.integers(1, 8))
    parts = Partitions(CFG)
    seen: dict[SeriesKey, float] = {}
    for n, ev in enumerate(events, start=1):
        parts.apply(ev)
        if n % every == 0 or n == len(events):
            now = parts.watermark
            current = samples(families(parts.records(now), CFG), MONOTONIC)
            assert_grown(seen, current)
            seen = current


def test_a_survey_moving_to_its_queue_leaves_the_counters_growing() -> None:
    parts = Partitions(CFG, count=1)
    parts.apply(event("survey.response", T0, contact_id="early", csat=5, nps=10))
    parts.apply(event("survey.response", T0, contact_id="other", csat=2))
    before = samples(families(parts.records(T0 + MINUTE), CFG), MONOTONIC)
    for ev in contact("early", T0 + 2 * MINUTE, wait_s=5, talk_s=60):
        parts.apply(ev)
    after = samples(families(parts.records(T0 + 4 * MINUTE), CFG), MONOTONIC)
    assert_grown(before, after)
    csat = total(after, "floorboard_survey_responses_total", site="oslo", kind="csat")
    assert csat == 2  # counted once, wherever it is attributed


def test_counters_restart_at_the_sites_midnight() -> None:
    oslo = ZoneInfo("Europe/Oslo")
    midnight = int(dt.datetime(2026, 11, 24, tzinfo=oslo).timestamp() * 1000)
    parts = Partitions(CFG, count=1)
    for i in range(5):
        for ev in contact(f"y{i}", midnight - 20 * MINUTE + i * MINUTE, wait_s=5):
            parts.apply(ev)
    evening = samples(families(parts.records(midnight - MINUTE), CFG), MONOTONIC)
    assert total(evening, "floorboard_contacts_offered_total") == 5
    for i in range(2):
        for ev in contact(f"t{i}", midnight + (i + 1) * MINUTE, wait_s=5):
            parts.apply(ev)
    # yesterday's contact, reported late: it belongs to yesterday, which is no longer exported
    for ev in contact("late", midnight - 2 * MINUTE, wait_s=5):
        parts.apply(ev)
    night = samples(families(parts.records(midnight + 5 * MINUTE), CFG), MONOTONIC)
    assert total(night, "floorboard_contacts_offered_total") == 2  # the documented reset
    for ev in contact("t2", midnight + 6 * MINUTE, wait_s=5):
        parts.apply(ev)
    later = samples(families(parts.records(midnight + 10 * MINUTE), CFG), MONOTONIC)
    assert_grown(night, later)
    assert total(later, "floorboard_contacts_offered_total") == 3
