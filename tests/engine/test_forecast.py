"""The staffing forecast's arithmetic and who counts as staffed (the simulator checks the model:
tests/simulator/test_forecast.py)."""

from __future__ import annotations

import pytest

from floorboard.engine.forecast import agents_on_floor, staffing
from floorboard.engine.snapshot import AgentLive
from floorboard.engine.views import TeamView, Views


def test_erlang_c_needed_and_expected() -> None:
    # 360 calls an hour of 3 minutes: 18 Erlangs; 80 % within 20 s needs 22 agents
    forecast = staffing(0.1, 180.0, 20, 20, 0.8)
    assert forecast.load == pytest.approx(18.0)
    assert forecast.needed == 22
    assert forecast.expected_sl == pytest.approx(0.559, abs=0.001)
    assert staffing(0.1, 180.0, 22, 20, 0.8).expected_sl == pytest.approx(0.822, abs=0.001)
    # fewer agents than Erlangs: the queue grows without bound, nothing is answered in time
    assert staffing(0.1, 180.0, 18, 20, 0.8).expected_sl == 0.0


def test_no_load_no_forecast_and_a_target_of_one_is_reachable() -> None:
    assert staffing(0.0, 180.0, 5, 20, 0.8).needed is None
    assert staffing(0.1, None, 5, 20, 0.8).expected_sl is None
    assert staffing(0.1, 180.0, 22, 20, 1.0).target == 0.99


def test_staffed_are_the_skilled_agents_not_on_a_break() -> None:
    views = Views()
    team = TeamView("oslo", "red")
    team.agents = [
        AgentLive("a", "ready", "", 0, ("billing",)),
        AgentLive("b", "busy", "", 0, ("billing", "sales")),
        AgentLive("c", "acw", "", 0, ("sales",)),
        AgentLive("d", "not_ready", "lunch", 0, ("billing",)),
    ]
    views.teams[("oslo", "red")] = team
    other = TeamView("bergen", "blue", agents=[AgentLive("e", "ready", "", 0, ("billing",))])
    views.teams[("bergen", "blue")] = other
    assert agents_on_floor(views, "oslo", ["billing"]) == 2
    assert agents_on_floor(views, "oslo", ["billing", "sales"]) == 3
