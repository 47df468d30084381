"""Deterministic wallboard data: a real engine fed a fixed morning, read at a fixed time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from floorboard.config import EXAMPLE_CONFIG, Config, load_config
from floorboard.engine.engine import Engine
from floorboard.engine.read import layout_id, snapshot
from floorboard.engine.snapshot import Snapshot
from floorboard.events.model import Event
from floorboard.wallboard.store import RecordStore
from tests.factory import MINUTE, SECOND, T0, contact, event

REPO = Path(__file__).resolve().parents[2]
NOW = T0 + 30 * MINUTE


def example_config() -> Config:
    return load_config(EXAMPLE_CONFIG)


def morning(good_quality: bool = False) -> list[Event]:
    """Billing voice answers fast; support voice is slow; surveys are poor unless asked otherwise."""
    events: list[Event] = []
    for i in range(24):
        queue = "billing" if i % 2 else "support"
        wait = 8 if queue == "billing" else 95
        team = "red" if i % 3 else "blue"
        agent = f"{team}-{i % 4}"
        events += contact(f"m{i}", T0 + i * MINUTE, queue=queue, wait_s=wait, agent=agent,
                          team=team, talk_s=240, hold_s=20, acw_s=40)  # fmt: skip
        score = 5 if good_quality else (2 if queue == "support" else 4)
        events.append(event("survey.response", T0 + i * MINUTE + 10 * MINUTE // 2,
                            contact_id=f"m{i}", csat=score, nps=9 if good_quality else 3,
                            fcr=good_quality))  # fmt: skip
    events += contact("w1", NOW - 70 * SECOND, queue="support")
    events += contact("w2", NOW - 20 * SECOND, queue="billing")
    events += contact("ab", T0 + 3 * MINUTE, queue="support", abandon_s=50)
    for agent, state, reason, at in [
        ("red-1", "ready", None, 0), ("red-2", "busy", None, 5), ("blue-0", "not_ready", "break", 2),
        ("blue-3", "acw", None, 27),
    ]:  # fmt: skip
        events.append(event("agent.state", T0 + at * MINUTE, agent=agent,
                            team=agent.split("-")[0], state=state, reason=reason,
                            queues=["billing", "support"]))  # fmt: skip
    events.append(
        event(
            "team.pulse", T0, team="red", metric="employee_satisfaction", value=4.1, respondents=9
        )
    )
    events.append(event("team.pulse", T0, team="red", metric="sick_leave_rate", value=0.03))
    return events


def records(cfg: Config, good_quality: bool = False, extra: Sequence[Event] = ()) -> list[Snapshot]:
    engine = Engine(cfg)
    for ev in sorted([*morning(good_quality), *extra], key=lambda e: e.ts):
        engine.apply(ev)
    return snapshot(engine, NOW, "p0")


def store(cfg: Config, good_quality: bool = False, extra: Sequence[Event] = ()) -> RecordStore:
    s = RecordStore(layout_id(Engine(cfg).layout), max_age_ms=10**12)
    s.add_all(records(cfg, good_quality, extra), NOW)
    return s
