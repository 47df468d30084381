"""Builders of canonical events for tests: real structs through the real codec, fixed times."""

from __future__ import annotations

import itertools
from typing import Any

import orjson

from floorboard.config import Config, parse_config
from floorboard.events.codec import Rejected, decode_event
from floorboard.events.model import Event

# 2026-11-23 09:00 Europe/Oslo (08:00 UTC), a Monday.
T0 = 1795420800000
SECOND = 1000
MINUTE = 60 * SECOND

_ids = itertools.count()

BASE_CONFIG: dict[str, Any] = {
    "sites": {
        "oslo": {
            "timezone": "Europe/Oslo",
            "queues": {
                "billing": {"channels": ["voice", "chat", "email"]},
                "support": {"channels": ["voice", "messaging", "email"]},
            },
        }
    },
    "engine": {"allowed_lateness_s": 600, "min_responses": 3},
}


def config(**engine: Any) -> Config:
    data = {**BASE_CONFIG, "engine": {**BASE_CONFIG["engine"], **engine}}
    return parse_config(data)


def event(type_: str, ts: int, **fields: Any) -> Event:
    """Decode a dict through the codec, so tests exercise the same validation as production."""
    body = {"v": 1, "id": fields.pop("id", f"e{next(_ids)}"), "type": type_, "ts": ts}
    body.setdefault("site", fields.pop("site", "oslo"))
    body.update(fields)
    decoded = decode_event(orjson.dumps(body))
    if isinstance(decoded, Rejected):
        raise AssertionError(f"test event did not validate: {decoded.message}")
    return decoded


def contact(
    cid: str,
    ts: int,
    *,
    queue: str = "billing",
    channel: str = "voice",
    wait_s: float | None = None,
    abandon_s: float | None = None,
    agent: str = "a1",
    team: str = "red",
    talk_s: float = 0,
    hold_s: float = 0,
    acw_s: float | None = None,
) -> list[Event]:
    """One contact's lifecycle: offered, then answered (and ended/wrap-up) or abandoned."""
    common = {"contact_id": cid, "queue": queue, "channel": channel}
    out = [event("contact.offered", ts, **common)]
    if abandon_s is not None:
        out.append(
            event("contact.abandoned", ts + int(abandon_s * 1000), wait_s=abandon_s, **common)
        )
        return out
    if wait_s is None:
        return out
    answered = ts + int(wait_s * 1000)
    who = {"agent": agent, "team": team}
    out.append(event("contact.answered", answered, wait_s=wait_s, **who, **common))
    if talk_s or hold_s:
        ended = answered + int((talk_s + hold_s) * 1000)
        out.append(event("contact.ended", ended, talk_s=talk_s, hold_s=hold_s, **who, **common))
        if acw_s is not None:
            out.append(
                event(
                    "contact.wrapup_ended", ended + int(acw_s * 1000), acw_s=acw_s, **who, **common
                )
            )
    return out
