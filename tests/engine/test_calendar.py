"""Business-hours calendars for response SLAs: Mon-Fri 08-16 Europe/Oslo unless stated, with
Wednesday 2026-11-25 as a holiday. Monday 2026-11-23 starts the week used here."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorboard.config import BusinessHours, PublicHolidays, ResponseSla
from floorboard.engine.calendar import BusinessCalendar
from tests.engine.helpers import OSLO, oslo, run, views
from tests.factory import config, event

HOUR = 3_600_000
CAL = BusinessCalendar(BusinessHours(holidays=(dt.date(2026, 11, 25),)), OSLO)


def nov(day: int, hour: int, minute: int = 0) -> int:
    return oslo(2026, 11, day, hour, minute)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (nov(23, 15), nov(24, 9), 2),  # Mon 15-16 + Tue 08-09
        (nov(23, 20), nov(24, 7), 0),  # the night in between
        (nov(23, 6), nov(23, 10), 2),  # before opening counts from 08:00
        (nov(27, 15), nov(30, 9), 2),  # Fri 15-16 + Mon 08-09: the weekend is closed
        (nov(28, 10), nov(30, 9), 1),  # arriving on Saturday
        (nov(24, 15), nov(26, 9), 2),  # Wednesday's holiday is closed
        (nov(25, 11), nov(26, 9), 1),  # arriving on the holiday
        (nov(24, 17), nov(24, 18), 0),  # after close
        (nov(23, 9), nov(23, 9), 0),
        (nov(24, 9), nov(23, 9), 0),  # backwards is nothing
        (nov(23, 8), nov(30, 8), 4 * 8),  # a whole week with one holiday
    ],
)
def test_business_time(start: int, end: int, hours: float) -> None:
    assert CAL.business_ms(start, end) == hours * HOUR


def test_business_time_over_a_dst_weekend_counts_opening_hours_only() -> None:
    # Friday 27 March 2026 15:00 → Monday 30 March 09:00, across the spring-forward Sunday:
    # 2 business hours; 65 real hours (66 on the wall clock less the skipped one)
    start, end = oslo(2026, 3, 27, 15), oslo(2026, 3, 30, 9)
    cal = BusinessCalendar(BusinessHours(), OSLO)
    assert cal.business_ms(start, end) == 2 * HOUR
    assert end - start == 65 * HOUR
    assert cal.within_sla(ResponseSla(kind="elapsed_seconds", seconds=65 * 3600), start, end)
    assert not cal.within_sla(
        ResponseSla(kind="elapsed_seconds", seconds=65 * 3600 - 1), start, end
    )


@given(st.integers(nov(20, 0), nov(30, 0)), st.integers(0, 5 * 86400_000),
       st.integers(0, 5 * 86400_000))  # fmt: skip
def test_business_time_adds_up_over_consecutive_spans(start: int, a: int, b: int) -> None:
    assert CAL.business_ms(start, start + a + b) == CAL.business_ms(
        start, start + a
    ) + CAL.business_ms(start + a, start + a + b)
    assert 0 <= CAL.business_ms(start, start + a) <= a


def test_public_holidays_of_the_country_close_the_day_and_explicit_dates_add_to_them() -> None:
    # Norway 2026: Ascension Day Thu 14 May and Whit Monday 25 May come from the holidays
    # package; Fri 15 May (a bridge day) is typed into the configuration.
    hours = BusinessHours(
        holidays=(dt.date(2026, 5, 15),), public_holidays=PublicHolidays(country="NO")
    )
    cal = BusinessCalendar(hours, OSLO)
    assert cal.is_holiday(dt.date(2026, 5, 14)) and cal.is_holiday(dt.date(2026, 5, 25))
    assert cal.is_holiday(dt.date(2026, 5, 15)) and not cal.is_holiday(dt.date(2026, 5, 13))
    # Wed 13 May 15:00 → Mon 18 May 09:00: Wed 15-16 + Mon 08-09 = 2 h (Thu, Fri, weekend closed)
    assert cal.business_ms(oslo(2026, 5, 13, 15), oslo(2026, 5, 18, 9)) == 2 * HOUR
    # same business day: an item on Wednesday evening is due at Monday's close
    assert cal.close_of_business_day(oslo(2026, 5, 13, 17)) == oslo(2026, 5, 18, 16)
    # a subdivision adds its own: Bavaria keeps Epiphany, Berlin does not
    bavaria = BusinessCalendar(
        BusinessHours(public_holidays=PublicHolidays(country="DE", subdivision="BY")), OSLO
    )
    berlin = BusinessCalendar(
        BusinessHours(public_holidays=PublicHolidays(country="DE", subdivision="BE")), OSLO
    )
    assert bavaria.is_holiday(dt.date(2026, 1, 6)) and not berlin.is_holiday(dt.date(2026, 1, 6))


def test_is_open() -> None:
    assert CAL.is_open(nov(23, 8)) and CAL.is_open(nov(23, 15, 59))
    assert not CAL.is_open(nov(23, 16))  # closing time is not open
    assert not CAL.is_open(nov(25, 10))  # holiday
    assert not CAL.is_open(nov(28, 10))  # Saturday


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (nov(23, 10), nov(23, 16)),  # during the day: today's close
        (nov(23, 6), nov(23, 16)),  # before opening: still today
        (nov(23, 16), nov(24, 16)),  # at closing time: tomorrow
        (nov(24, 17), nov(26, 16)),  # after close, and Wednesday is a holiday: Thursday
        (nov(25, 9), nov(26, 16)),  # on the holiday
        (nov(27, 20), nov(30, 16)),  # Friday evening: Monday
        (nov(29, 12), nov(30, 16)),  # Sunday
    ],
)
def test_same_business_day_deadline(received: int, deadline: int) -> None:
    sla = ResponseSla(kind="same_business_day")
    assert CAL.close_of_business_day(received) == deadline
    assert CAL.within_sla(sla, received, deadline)
    assert not CAL.within_sla(sla, received, deadline + 1)


def test_elapsed_and_business_second_slas() -> None:
    day = ResponseSla(kind="elapsed_seconds", seconds=86400)
    four_hours = ResponseSla(kind="business_seconds", seconds=4 * 3600)
    assert CAL.within_sla(day, nov(23, 15), nov(24, 9))  # 18 h
    assert not CAL.within_sla(day, nov(27, 15), nov(30, 9))  # 66 h over the weekend
    assert CAL.within_sla(four_hours, nov(27, 15), nov(30, 9))  # 2 business hours
    assert CAL.within_sla(four_hours, nov(27, 15), nov(30, 11))  # exactly 4: within
    assert not CAL.within_sla(four_hours, nov(27, 15), nov(30, 11) + 1)


def test_opening_hours_per_day() -> None:
    # the example config's Friday closes at 15:00 and weekends stay closed
    hours = BusinessHours(days={"mon": (dt.time(8), dt.time(16)), "fri": (dt.time(8), dt.time(15))})
    cal = BusinessCalendar(hours, OSLO)
    assert cal.business_ms(nov(27, 14), nov(30, 9)) == 2 * HOUR  # Fri 14-15 + Mon 08-09
    assert cal.close_of_business_day(nov(24, 10)) == nov(27, 15)  # Tuesday is closed here


def test_backlog_open_until_resolved() -> None:
    common = {"queue": "support", "channel": "email"}
    events = [
        event("contact.offered", nov(23, 9), contact_id="m1", **common),
        event("contact.offered", nov(23, 10), contact_id="m2", **common),
        event(
            "contact.resolved", nov(23, 11), contact_id="m1", agent="a", team="red",
            received_ts=nov(23, 9), **common,
        ),
    ]  # fmt: skip
    q = views(run(config(), events), nov(23, 12)).queues[("oslo", "support", "email")]
    assert (q.backlog, q.oldest_open_ts) == (1, nov(23, 10))
