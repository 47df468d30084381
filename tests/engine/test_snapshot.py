"""Snapshot records survive their wire format and merge window by window."""

from __future__ import annotations

from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import (
    AgentLive,
    AgentRoster,
    Pulse,
    QueueSnapshot,
    SourceStatus,
    TeamSnapshot,
    decode,
    encode,
    merge_windows,
    record_key,
)
from tests.engine.helpers import run
from tests.factory import MINUTE, T0, config, contact, event


def test_every_record_kind_round_trips() -> None:
    events = [
        *contact("c1", T0, wait_s=5, talk_s=30),
        event("agent.state", T0, agent="a1", team="red", state="ready", queues=["billing"]),
        event("team.pulse", T0, team="red", metric="sick_leave_rate", value=0.04, respondents=3),
        event("survey.response", T0, contact_id="c1", csat=4),
    ]
    recs = snapshot(run(config(), events), T0 + MINUTE, "w1/3")
    assert {type(r) for r in recs} == {QueueSnapshot, TeamSnapshot, AgentRoster, SourceStatus}
    for rec in recs:
        assert decode(encode(rec)) == rec


def test_record_keys_are_one_per_source_and_entity() -> None:
    src, layout = "w1/3", "abc"
    queue = QueueSnapshot(source=src, as_of=T0, layout=layout, site="oslo", queue="billing",
                          channel="voice", windows={})  # fmt: skip
    team = TeamSnapshot(source=src, as_of=T0, layout=layout, site="oslo", team="red", windows={},
                        agent_time={}, on_floor={"ready": 1}, skills=["billing"],
                        agent_quality={}, pulse={"x": Pulse(T0, 1.0, 0)})  # fmt: skip
    roster = AgentRoster(source=src, as_of=T0, layout=layout, site="oslo", team="red",
                         agents=[AgentLive("a1", "ready", "", T0)])  # fmt: skip
    status = SourceStatus(source=src, as_of=T0, layout=layout, watermarks={}, counters={})
    assert record_key(queue) == "w1/3|queue|oslo|billing|voice"
    assert record_key(team) == "w1/3|team|oslo|red"
    assert record_key(roster) == "w1/3|agents|oslo|red"
    assert record_key(status) == "w1/3|status"


def test_merge_windows_adds_per_window_without_touching_its_inputs() -> None:
    a = {"today": [1, 2], "rolling_15m": [1, 0]}
    b = {"today": [10, 20], "interval_15m": [3, 3]}
    merged = merge_windows([a, b])
    assert merged == {"today": [11, 22], "rolling_15m": [1, 0], "interval_15m": [3, 3]}
    merged["rolling_15m"][0] = 99
    assert a == {"today": [1, 2], "rolling_15m": [1, 0]}  # copies, not aliases
