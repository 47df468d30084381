"""Merged views of many partitions: sums, minima, unions and figures from the merged sums."""

from __future__ import annotations

import pytest

from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import AgentLive, Pulse, QueueSnapshot, SourceStatus, TeamSnapshot
from floorboard.engine.views import figures, merge
from tests.engine.helpers import run, views
from tests.factory import MINUTE, T0, config, contact, event

NOW = T0 + 5 * MINUTE


def queue(source: str, **kw: object) -> QueueSnapshot:
    fields: dict[str, object] = {
        "source": source, "as_of": T0, "layout": "l", "site": "oslo", "queue": "billing",
        "channel": "voice", "windows": {},
    }  # fmt: skip
    fields.update(kw)
    return QueueSnapshot(**fields)  # type: ignore[arg-type]


def team(source: str, **kw: object) -> TeamSnapshot:
    fields: dict[str, object] = {
        "source": source, "as_of": T0, "layout": "l", "site": "oslo", "team": "red",
        "windows": {}, "agent_time": {}, "agents": [], "agent_quality": {}, "pulse": {},
    }  # fmt: skip
    fields.update(kw)
    return TeamSnapshot(**fields)  # type: ignore[arg-type]


def test_live_queue_parts_sum_and_take_the_oldest() -> None:
    v = merge([
        queue("p0", waiting=2, oldest_wait_ts=T0 + 5, backlog=1, oldest_open_ts=None),
        queue("p1", as_of=T0 + 9, waiting=1, oldest_wait_ts=T0 + 3, backlog=2, oldest_open_ts=T0),
        queue("p2", windows={"today": [1, 1]}),
    ])  # fmt: skip
    q = v.queues[("oslo", "billing", "voice")]
    assert (q.waiting, q.oldest_wait_ts, q.backlog, q.oldest_open_ts) == (3, T0 + 3, 3, T0)
    assert q.windows == {"today": [1, 1]}
    assert v.as_of == T0 + 9


def test_team_parts_union_agents_add_quality_and_keep_the_latest_pulse() -> None:
    v = merge([
        team("p0", agents=[AgentLive("a1", "ready", "", T0)], agent_quality={"x": [1, 5, 0, 0, 0]},
             pulse={"employee_satisfaction": Pulse(T0, 4.0, 7)}),
        team("p1", agents=[AgentLive("a2", "busy", "", T0)], agent_quality={"x": [1, 3, 0, 0, 0]},
             pulse={"employee_satisfaction": Pulse(T0, 4.0, 9)}),
        team("p2", pulse={"employee_satisfaction": Pulse(T0 - 1, 5.0, 20)}),
    ])  # fmt: skip
    t = v.teams[("oslo", "red")]
    assert sorted(a.agent for a in t.agents) == ["a1", "a2"]
    assert t.agent_quality == {"x": [2, 8, 0, 0, 0]}
    # latest by time; a tie on time and value goes to the larger respondents, in any order
    assert t.pulse["employee_satisfaction"] == Pulse(T0, 4.0, 9)


def test_status_parts_sum_counters_and_take_the_newest_watermark() -> None:
    v = merge([
        SourceStatus(source="p0", as_of=T0, layout="l", watermarks={"oslo": T0},
                     counters={"applied": 3, "duplicates": 1}),
        SourceStatus(source="p1", as_of=T0, layout="l", watermarks={"oslo": T0 + 7},
                     counters={"applied": 2}),
    ])  # fmt: skip
    assert v.watermarks == {"oslo": T0 + 7}
    assert v.counters == {"applied": 5, "duplicates": 1}


def test_site_totals_sum_queues_not_teams() -> None:
    engine = run(config(), [*contact("c1", T0, wait_s=5, team="red"),
                            *contact("c2", T0, queue="support", wait_s=5, team="red")])  # fmt: skip
    v = views(engine, NOW)
    site = v.site_windows("oslo")["today"]
    assert site[engine.layout.index["answered"]] == 2  # not 4: teams would count them again
    assert v.sites == ["oslo"]


def test_figures_of_the_unattributed_queue_can_be_read() -> None:
    # every reader (/kpi, the JSON report) asks for figures of every queue view, including the
    # unattributed cell, whose channel is empty and has no SL settings
    engine = run(config(), [event("survey.response", T0, contact_id="c1", csat=4, nps=10)])
    key = ("oslo", "", "")
    q = views(engine, NOW).queues[key]
    f = figures(q.windows["today"], engine.config, engine.layout, key)
    assert f["csat_mean"].value == pytest.approx(4.0)
    assert f["nps"].value == pytest.approx(100.0)
    assert f["service_level"].value is None


def test_figures_of_a_merge_are_from_sums_not_averages() -> None:
    # partition 1: 1 of 1 within T; partition 2: 0 of 3 → 1/4 overall, not (1 + 0) / 2
    p1 = run(config(), contact("c1", T0, wait_s=5))
    p2 = run(config(), [*contact("c2", T0, wait_s=50), *contact("c3", T0, wait_s=50),
                        *contact("c4", T0, wait_s=50)])  # fmt: skip
    v = merge([*snapshot(p1, NOW, "p1"), *snapshot(p2, NOW, "p2")])
    key = ("oslo", "billing", "voice")
    engine = Engine(config())
    f = figures(v.queues[key].windows["today"], engine.config, engine.layout, key)
    assert f["service_level"].value == pytest.approx(1 / 4)
    assert f["asa_s"].value == pytest.approx((5 + 50 * 3) / 4)
