"""The /kpi document reads through the engine's views: the same figures as the report."""

from __future__ import annotations

import msgspec
import pytest

from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.streams.worker.kpi import kpi_document
from tests.factory import MINUTE, T0, config, contact, event


def test_kpi_has_occupancy_resolve_time_and_the_team_service_level_with_its_scope() -> None:
    cfg = config()
    engine = Engine(cfg)
    events = [
        event("agent.state", T0, agent="a1", team="red", state="ready"),
        *contact("c1", T0 + MINUTE, wait_s=10, talk_s=60),  # answered by red in billing voice
        event("agent.state", T0 + 2 * MINUTE, agent="a1", team="red", state="busy"),
        event("contact.resolved", T0 + 5 * MINUTE, contact_id="e1", queue="billing",
              channel="email", agent="a1", team="red", received_ts=T0 + MINUTE),
    ]  # fmt: skip
    for ev in sorted(events, key=lambda e: e.ts):
        engine.apply(ev)
    at = T0 + 6 * MINUTE
    doc = msgspec.to_builtins(kpi_document(snapshot(engine, at, "p0"), cfg, engine.layout, at))
    today = doc["figures"]["today"]
    red = today["teams"]["oslo/red"]
    # ready 2 min, busy 4 min (until the read): 4 ÷ 6
    assert red["occupancy"]["value"] == pytest.approx(4 / 6)
    assert today["sites"]["oslo"]["occupancy"]["value"] == pytest.approx(4 / 6)
    assert red["service_level"]["scope"] == "queues red answered: billing/voice"
    assert red["service_level"]["value"] == 1.0
    # received 1 min after T0, resolved at 5 min: 240 s
    assert today["queues"]["oslo/billing/email"]["resolve_time_s"]["value"] == 240
    assert today["queues"]["oslo/billing/voice"]["offered"]["value"] == 1
