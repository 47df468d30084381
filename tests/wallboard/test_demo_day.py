"""The boards on the demo's own morning, at the lunch peak: 9 queues, 39 agents, the dip of the
half hour. With FLOORBOARD_SCREENSHOT_DIR=docs/screenshots the screenshots in the README and the
docs are written from it (SVG, Textual's save_screenshot)."""

from __future__ import annotations

import os

import pytest
from textual.widgets import DataTable, Static

from floorboard.engine.forecast import agents_on_floor, queue_staffing, site_staffing
from floorboard.engine.kpis import Status
from floorboard.engine.layout import Layout
from floorboard.engine.views import site_queues, synchronous
from floorboard.wallboard.app import ListScreen, WallboardApp
from floorboard.wallboard.board import BoardBuilder
from floorboard.wallboard.widgets import TileWidget
from tests.wallboard.data import example_config
from tests.wallboard.demo_day import LUNCH, demo_store


def test_the_demo_lunch_peak_dips_while_the_day_meets_its_target() -> None:
    cfg = example_config()
    views = demo_store().views(LUNCH)
    builder = BoardBuilder(cfg, Layout(cfg.wait_bounds_ms, cfg.handle_bounds_ms), hold=1)
    day = builder.supervisor(views, "today", "oslo")
    half_hour = builder.supervisor(views, "interval_30m", "oslo")
    assert len(day.queue_rows) == 9 and len(day.agents) == 39
    tiles = {t.key: t for t in day.tiles}
    assert tiles["sl"].status is Status.GOOD
    assert {t.key: t for t in half_hour.tiles}["sl"].status is Status.ALERT
    # a third of the floor at lunch: the forecast says the floor is short now
    assert tiles["staffing"].status is Status.ALERT
    assert "this half hour" in half_hour.title
    # beside the same half hour on Monday, whatever window the board shows
    assert (
        day.normal
        == half_hour.normal
        == (
            "This half hour (same half hour yesterday): SL 41% (71%) · abandoned 17% (4%) · "
            "AHT 5:03 (4:45)"
        )
    )
    team = builder.team(views, "today", "oslo", "red")
    assert team.normal.startswith("This half hour (same half hour yesterday): SL 44% (68%)")


def test_each_queue_counts_its_share_of_the_floor_never_an_agent_twice() -> None:
    cfg = example_config()
    views = demo_store().views(LUNCH)
    layout = Layout(cfg.wait_bounds_ms, cfg.handle_bounds_ms)
    queues = synchronous(site_queues(views, "oslo"))
    staffed = [queue_staffing(views, q, cfg, layout).staffed for q in queues]
    on_floor = agents_on_floor(views, "oslo", {q.queue for q in queues})
    assert on_floor == 23
    # shares add up to the floor, give or take the rounding of each of the 6 queues
    assert abs(sum(staffed) - on_floor) <= len(queues) / 2
    assert site_staffing(views, "oslo", cfg, layout).staffed == on_floor


async def test_switching_windows_shows_that_windows_colours_at_once() -> None:
    cfg = example_config()
    app = WallboardApp(cfg, demo_store(), clock=lambda: LUNCH, refresh_s=3600)
    async with app.run_test(size=(200, 60)) as pilot:
        sl = app.query_one("#tiles #tile-sl", TileWidget)
        assert sl.has_class("-good")  # today
        await pilot.press("w")  # this half hour: the lunch dip, red without waiting 3 refreshes
        assert app.window == "interval_30m"
        assert sl.has_class("-alert")
        assert "SL" in str(app.query_one("#alerts", Static).render())


async def test_enter_on_a_queue_drills_down_window_by_window() -> None:
    cfg = example_config()
    app = WallboardApp(cfg, demo_store(), clock=lambda: LUNCH, refresh_s=3600)
    async with app.run_test(size=(200, 60)) as pilot:
        table = app.query_one("#queues", DataTable)
        table.focus()
        table.move_cursor(row=2)  # billing/voice
        await pilot.press("enter")
        assert isinstance(app.screen, ListScreen)
        lines = str(app.screen.query_one(".list-lines", Static).render()).splitlines()
        assert lines[0].split() == ["window", "offered", "answered", "SL", "abandoned", "ASA",
                                    "AHT", "CSAT"]  # fmt: skip
        by_window = {line[:25].strip(): line[25:].split() for line in lines[1:8]}
        assert list(by_window) == ["today", "this half hour", "last half hour",
                                   "same half hour yesterday", "last 60 min", "last 30 min",
                                   "last 15 min"]  # fmt: skip
        # billing voice today: 219 offered, 205 answered; counts and ratios only, nobody named
        assert by_window["today"][:2] == ["219", "205"]
        assert "oslo-" not in "\n".join(lines)
        # then the day's half hours from midnight, which add up to today, and its abandons
        first = lines.index("Today's half hours") + 2
        half_hours = lines[first + 1 : lines.index("", first)]  # after the quiet night, to 12:00
        assert lines[first].split() == ["00:00–07:00", "no", "activity"]
        assert [h.split()[0] for h in half_hours[::5]] == ["07:00", "09:30", "12:00"]
        assert sum(int(h.split()[1]) for h in half_hours) == 219
        assert "Abandoned today: 13, most recent first" in lines
        out = os.environ.get("FLOORBOARD_SCREENSHOT_DIR")
        if out:
            app.save_screenshot("drilldown-200x60.svg", out)


SCREENS = [
    ("supervisor", "interval_30m", (200, 60)),
    ("supervisor", "interval_30m", (80, 24)),
    ("team", "today", (200, 60)),
    ("team", "today", (80, 24)),
]


@pytest.mark.parametrize(("layout", "window", "size"), SCREENS)
async def test_demo_screens(layout: str, window: str, size: tuple[int, int]) -> None:
    cfg = example_config()
    app = WallboardApp(
        cfg, demo_store(), layout_name=layout, clock=lambda: LUNCH, refresh_s=3600, team="red"
    )
    async with app.run_test(size=size) as pilot:
        app.window = window
        await pilot.pause()
        assert app.board is not None and app.board.tiles
        out = os.environ.get("FLOORBOARD_SCREENSHOT_DIR")
        if out:
            app.save_screenshot(f"{layout}-{size[0]}x{size[1]}.svg", out)
