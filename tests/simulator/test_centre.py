"""Contacts: valid, deterministic, in order per leg, routed by skill, async work in business hours."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest

from floorboard.events import model as m
from floorboard.events.codec import decode_event, encode
from floorboard.simulator import SCENARIOS
from tests.simulator.helpers import HOUR, MONDAY_7, day, example, in_business_hours, tally

# One letter per contact event type, to check each leg's sequence with a pattern.
LETTER = {
    "contact.offered": "O", "contact.answered": "A", "contact.abandoned": "B",
    "contact.callback_requested": "C", "contact.first_response": "F",
    "contact.transferred": "T", "contact.ended": "E", "contact.resolved": "R",
    "contact.wrapup_ended": "W",
}  # fmt: skip
# offered → abandoned | callback | answered → [first response] or [transfer] → ended →
# [resolved] → wrap-up; a leg may be cut short by the end of the run.
SYNC_LEG = re.compile(r"O(?:[BC]|A(?:T?EW?)?)?")
ASYNC_LEG = re.compile(r"O(?:A(?:(?:FER|TE)W?)?)?")


def legs(events: tuple[m.Event, ...]) -> dict[tuple[str, str], list[m.ContactBase]]:
    out: dict[tuple[str, str], list[m.ContactBase]] = defaultdict(list)
    for e in events:
        if isinstance(e, m.ContactBase):
            out[(e.contact_id, e.queue)].append(e)
    return out


def test_same_seed_same_bytes_other_seed_other_day() -> None:
    a = b"".join(encode(e) for e in day(seed=5, hours=3))
    b = b"".join(encode(e) for e in day(SCENARIOS["normal"], seed=5, hours=3))  # not cached
    c = b"".join(encode(e) for e in day(seed=6, hours=3))
    assert a == b and a != c


def test_events_validate_and_come_in_time_order() -> None:
    events = day()
    assert len(events) > 10_000
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    assert len({e.id for e in events}) == len(events)
    for event in events:
        assert decode_event(encode(event)) == event
    kinds = {m.event_type(e) for e in events}
    assert kinds == m.TYPE_NAMES  # every event type occurs on a normal day


def test_each_leg_runs_in_order_and_its_times_add_up() -> None:
    events = day()
    by_leg = legs(events)
    assert len(by_leg) > 2000
    for leg in by_leg.values():
        letters = "".join(LETTER[str(e.__struct_config__.tag)] for e in leg)
        pattern = SYNC_LEG if leg[0].channel in ("voice", "chat") else ASYNC_LEG
        assert pattern.fullmatch(letters), letters
        offered, *rest = leg
        answered = next((e for e in rest if isinstance(e, m.ContactAnswered)), None)
        ended = next((e for e in rest if isinstance(e, m.ContactEnded)), None)
        wrapped = next((e for e in rest if isinstance(e, m.ContactWrapupEnded)), None)
        # The durations an ACD reports match the gaps between its events (to the millisecond).
        if answered is not None:
            assert abs(answered.ts - offered.ts - answered.wait_s * 1000) <= 1
        if answered is not None and ended is not None:
            assert abs(ended.ts - answered.ts - (ended.talk_s + ended.hold_s) * 1000) <= 1
            assert ended.agent == answered.agent
        if ended is not None and wrapped is not None:
            assert abs(wrapped.ts - ended.ts - wrapped.acw_s * 1000) <= 1
        for e in rest:
            if isinstance(e, m.ContactAbandoned | m.ContactCallbackRequested):
                assert abs(e.ts - offered.ts - e.wait_s * 1000) <= 1


def test_a_transferred_contact_is_offered_to_its_new_queue() -> None:
    events = day(SCENARIOS["normal"].replace(transfer_probability=0.3), hours=6)
    offers = {(e.contact_id, e.queue, e.ts) for e in events if isinstance(e, m.ContactOffered)}
    first_offer: dict[str, int] = {}
    for e in events:
        if isinstance(e, m.ContactOffered):
            first_offer.setdefault(e.contact_id, e.ts)
    transfers = [e for e in events if isinstance(e, m.ContactTransferred)]
    assert len(transfers) > 200
    assert any(e.channel == "email" for e in transfers)
    for e in transfers:
        assert e.to_queue != e.queue
        assert (e.contact_id, e.to_queue, e.ts) in offers
    responses: dict[str, int] = defaultdict(int)
    for e in events:
        if isinstance(e, m.ContactFirstResponse | m.ContactResolved):
            # received_ts is the item's first arrival, not the start of the last leg
            assert e.received_ts == first_offer[e.contact_id]
        if isinstance(e, m.ContactFirstResponse):
            responses[e.contact_id] += 1
    assert responses and set(responses.values()) == {1}


def test_contacts_go_only_to_agents_skilled_in_their_queue() -> None:
    skills: dict[str, tuple[str, ...]] = {}
    answered = 0
    for e in day():
        if isinstance(e, m.AgentState):
            skills[e.agent] = e.queues
        elif isinstance(e, m.ContactAnswered):
            assert e.queue in skills[e.agent]
            answered += 1
    assert answered > 2000
    sets = set(skills.values())
    queues = tuple(example().sites["oslo"].queues)
    assert queues in sets  # generalists
    assert len(sets) == 4  # and three teams that each leave one queue to the others


def test_first_responses_only_in_business_hours_and_the_backlog_waits() -> None:
    site = example().sites["oslo"]
    # Monday 07:00 to Tuesday 13:00: a night's backlog is answered on Tuesday morning.
    events = day(hours=30)
    replies = [e for e in events if isinstance(e, m.ContactFirstResponse | m.ContactResolved)]
    assert len(replies) > 500
    assert [e for e in replies if not in_business_hours(site, e.ts)] == []
    overnight = [e for e in replies if not in_business_hours(site, e.received_ts)]
    assert len(overnight) > 50
    assert max(e.ts - e.received_ts for e in overnight) > 8 * HOUR


def test_calls_and_chats_arrive_only_while_the_floor_is_staffed() -> None:
    zone = example().sites["oslo"].zone
    night: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    for e in day(hours=30):  # Monday 07:00 to Tuesday 13:00
        # New arrivals only: a leg transferred just before closing is offered again after it.
        if isinstance(e, m.ContactOffered) and e.contact_id not in seen:
            seen.add(e.contact_id)
            local = dt.datetime.fromtimestamp(e.ts / 1000, tz=zone).time()
            if not dt.time(7) <= local < dt.time(18):  # first shift start to last shift end
                night[e.channel] += 1
    assert night["voice"] == night["chat"] == 0
    assert night["email"] > 15 and night["messaging"] > 0  # the backlog builds overnight


def test_lunch_peak_collapses_service_level() -> None:
    """Voice over lunch (11:00-13:00): SL (answered ≤ 20 s ÷ offered) and abandonment."""
    since, until = MONDAY_7 + 4 * HOUR, MONDAY_7 + 6 * HOUR
    normal = tally(day("normal", hours=6), since=since, until=until)
    peak = tally(day("lunch_peak", hours=6), since=since, until=until)
    assert normal.offered > 300 and peak.offered > 2 * normal.offered  # a 2.2× surge
    assert normal.service_level_of_offered > 0.6
    assert peak.service_level_of_offered < normal.service_level_of_offered - 0.4
    assert peak.abandon_rate > 3 * normal.abandon_rate and peak.abandon_rate > 0.15


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_scenario_produces_traffic(name: str) -> None:
    events = day(name, hours=2)
    assert sum(isinstance(e, m.ContactOffered) for e in events) > 100
    assert sum(isinstance(e, m.ContactAnswered) for e in events) > 50


def test_a_normal_day_mostly_meets_80_20_and_the_lunch_peak_dips() -> None:
    """Calls and chats per half hour, 08:00-16:00 (answered within T ÷ offered, T 20 s for voice,
    60 s for support voice, 30 s for chat): most half hours meet 80 %, and the lunch peak, with a
    share of the floor at lunch, drops below it for a while."""
    thresholds = {"voice": 20, "chat": 30}
    slots: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for e in day("normal", seed=1, hours=9):
        if not isinstance(e, m.ContactBase) or e.channel not in thresholds:
            continue
        slot = slots[(e.ts - MONDAY_7) // (HOUR // 2)]
        if isinstance(e, m.ContactOffered):
            slot[0] += 1
        elif isinstance(e, m.ContactAnswered):
            limit = 60 if (e.queue, e.channel) == ("support", "voice") else thresholds[e.channel]
            slot[1] += e.wait_s <= limit
    # half hours since 07:00: 08:00 is 2, 16:00 is 18; lunch 11:00-13:30 is 8-12
    sl = {k: within / offered for k, (offered, within) in slots.items()}
    day_slots = [sl[k] for k in range(2, 18)]
    assert sum(v >= 0.8 for v in day_slots) >= 0.75 * len(day_slots)
    assert min(sl[k] for k in range(8, 13)) < 0.8
