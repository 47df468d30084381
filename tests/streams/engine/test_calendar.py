"""Response-time SLAs on business-hours calendars (Mon-Fri 08-16 Europe/Oslo by default)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from floorboard.config import BusinessHours, ResponseSla
from streams.engine.calendar import BusinessCalendar
from tests.factory import BASE_CONFIG, config, event
from tests.streams.engine.helpers import queue_figures, run

OSLO = ZoneInfo("Europe/Oslo")
HOUR = 3_600_000


def at(day: int, hour: int, minute: int = 0) -> int:
    """Epoch ms of a local time in the week of Monday 2026-11-23."""
    local = dt.datetime(2026, 11, day, hour, minute, tzinfo=OSLO)
    return int(local.timestamp() * 1000)


CAL = BusinessCalendar(BusinessHours(holidays=(dt.date(2026, 11, 25),)), OSLO)


def test_business_time_skips_nights_weekends_and_holidays() -> None:
    assert CAL.business_ms(at(23, 15), at(24, 9)) == 2 * HOUR  # Mon 15-16 + Tue 08-09
    assert CAL.business_ms(at(27, 15), at(30, 9)) == 2 * HOUR  # Fri 15-16 + Mon 08-09
    assert CAL.business_ms(at(24, 15), at(26, 9)) == 2 * HOUR  # Wed 25th is a holiday
    assert CAL.business_ms(at(23, 20), at(23, 22)) == 0


def test_same_business_day_deadline() -> None:
    sla = ResponseSla(kind="same_business_day")
    assert CAL.within_sla(sla, at(23, 10), at(23, 15, 59))
    assert not CAL.within_sla(sla, at(23, 10), at(24, 8, 30))
    # after close on Friday: due by Monday's close
    assert CAL.within_sla(sla, at(27, 20), at(30, 15))
    # Tuesday evening: Wednesday is a holiday, so Thursday's close
    assert CAL.within_sla(sla, at(24, 17), at(26, 15))


def test_elapsed_and_business_second_slas() -> None:
    day = ResponseSla(kind="elapsed_seconds", seconds=86400)
    four_business_hours = ResponseSla(kind="business_seconds", seconds=4 * 3600)
    assert CAL.within_sla(day, at(23, 15), at(24, 9))  # 18 h
    assert not CAL.within_sla(day, at(27, 15), at(30, 9))  # 66 h over the weekend
    assert CAL.within_sla(four_business_hours, at(27, 15), at(30, 9))  # 2 business hours


def test_first_response_figures_per_queue() -> None:
    data = {
        **BASE_CONFIG,
        "channels": {"email": {"response_sla": {"kind": "same_business_day"}}},
    }
    from floorboard.config import parse_config

    cfg = parse_config(data)
    common = {"queue": "billing", "channel": "email", "agent": "a1", "team": "red"}
    events = [
        event(
            "contact.first_response", at(23, 15), contact_id="m1", received_ts=at(23, 9), **common
        ),
        event(
            "contact.first_response", at(24, 9), contact_id="m2", received_ts=at(23, 15), **common
        ),
    ]
    f = queue_figures(
        run(cfg, events), at(24, 10), key=("oslo", "billing", "email"), window="today"
    )
    # only m2 falls in Tuesday's "today": 18 h elapsed, 2 business hours, past Monday's close
    assert f["first_response_s"].value == pytest.approx(18 * 3600)
    assert f["first_response_business_s"].value == pytest.approx(2 * 3600)
    assert f["response_sla_rate"].value == 0.0
    f_mon = queue_figures(run(cfg, events[:1]), at(23, 15), key=("oslo", "billing", "email"))
    assert f_mon["response_sla_rate"].value == 1.0
    assert f_mon["first_response_s"].value == pytest.approx(6 * 3600)


def test_backlog_open_until_resolved() -> None:
    from tests.streams.engine.helpers import views

    common = {"queue": "support", "channel": "email"}
    events = [
        event("contact.offered", at(23, 9), contact_id="m1", **common),
        event("contact.offered", at(23, 10), contact_id="m2", **common),
        event(
            "contact.resolved", at(23, 11), contact_id="m1", agent="a", team="red",
            received_ts=at(23, 9), **common,
        ),
    ]  # fmt: skip
    q = views(run(config(), events), at(23, 12)).queues[("oslo", "support", "email")]
    assert q.backlog == 1
    assert q.oldest_open_ts == at(23, 10)
