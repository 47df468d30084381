"""Board contents: quality beside production, the balance line, hysteresis, low samples."""

from __future__ import annotations

from floorboard.engine.forecast import site_staffing, staffing_figures
from floorboard.engine.kpis import Status
from floorboard.engine.layout import Layout
from floorboard.engine.views import channel_figures, site_figures, team_figures
from floorboard.wallboard.board import BoardBuilder
from floorboard.wallboard.hysteresis import StatusSmoother
from floorboard.wallboard.tiles import TILES, BoardLayout, Kind
from tests.wallboard.data import NOW, example_config, store


def builder() -> BoardBuilder:
    cfg = example_config()
    return BoardBuilder(cfg, Layout(cfg.wait_bounds_ms, cfg.handle_bounds_ms), hold=1)


def test_every_row_of_tiles_mixes_production_and_quality() -> None:
    cfg = example_config()
    board = builder().supervisor(store(cfg).views(NOW), "today", "oslo")
    kinds = [t.kind for t in board.tiles]
    assert kinds[0::2] == [Kind.PRODUCTION] * 7
    assert kinds[1::2] == [Kind.QUALITY] * 7
    narrow = [spec.kind for spec in TILES if BoardLayout.SUPERVISOR in spec.layouts and spec.narrow]
    # 7 columns from 200 wide, 5 from 120, 4 below it without the tiles left out there
    for tiles, width in ((kinds, 7), (kinds, 5), (kinds, 2), (narrow, 4)):
        for row in range(0, len(tiles), width):
            assert {Kind.PRODUCTION, Kind.QUALITY} <= set(tiles[row : row + width])
    assert len(narrow) == 12


def test_every_tile_reads_a_figure_its_layout_is_given_and_judged_ones_have_a_target() -> None:
    cfg = example_config()
    views, layout = store(cfg).views(NOW), Layout(cfg.wait_bounds_ms, cfg.handle_bounds_ms)
    given = {
        BoardLayout.SUPERVISOR: site_figures(views, "oslo", "today", cfg, layout)
        | channel_figures(views, "oslo", "today", cfg, layout)
        | staffing_figures(site_staffing(views, "oslo", cfg, layout)),
        BoardLayout.TEAM: team_figures(views, "oslo", "red", "today", cfg, layout),
    }
    for spec in TILES:
        for board_layout in spec.layouts:
            assert spec.figure in given[board_layout], (spec.key, board_layout)
        assert (cfg.target(spec.target or spec.figure) is not None) is spec.judged, spec.key


def test_balance_line_when_customers_are_happy_but_production_is_behind() -> None:
    cfg = example_config()
    board = builder().supervisor(store(cfg, good_quality=True).views(NOW), "today", "oslo")
    by_key = {t.key: t for t in board.tiles}
    assert by_key["csat"].status is Status.GOOD
    assert by_key["sl"].status is Status.ALERT
    assert board.balance.startswith("Customers are satisfied, but production is behind")
    assert "Service level" in board.balance


def test_survey_tiles_show_n_and_interval_and_grey_out_below_min_n() -> None:
    cfg = example_config()
    views = store(cfg).views(NOW)
    site = {t.key: t for t in builder().supervisor(views, "today", "oslo").tiles}
    assert site["csat"].detail == "target ≥4.2 · n=24 · 95% 2.6–3.4"
    team = {t.key: t for t in builder().team(views, "today", "oslo", "blue").tiles}
    assert team["csat"].low_sample  # 8 responses < min_responses 10
    assert team["csat"].status is Status.UNKNOWN
    assert "too few to judge" in team["csat"].detail


def test_team_screen_names_nobody() -> None:
    cfg = example_config()
    board = builder().team(store(cfg).views(NOW), "today", "oslo", "red")
    text = " ".join(f"{t.label} {t.value} {t.detail}" for t in board.tiles)
    assert board.agents == [] and board.queue_rows == []
    for agent in ("red-0", "red-1", "red-2", "red-3"):
        assert agent not in text


def test_supervisor_sees_agents_with_long_not_ready_flagged() -> None:
    cfg = example_config()
    board = builder().supervisor(store(cfg).views(NOW), "today", "oslo")
    rows = {r.agent: r for r in board.agents}
    assert rows["blue-0"].state == "not_ready (break)"
    assert rows["blue-0"].long  # 28 minutes on break
    assert not rows["blue-3"].long  # 3 minutes in ACW is not long yet


def test_hysteresis_holds_colour_until_a_change_persists() -> None:
    smoother = StatusSmoother(hold=3)
    assert smoother.update("sl", Status.GOOD) is Status.GOOD
    assert smoother.update("sl", Status.WARN) is Status.GOOD
    assert smoother.update("sl", Status.GOOD) is Status.GOOD  # flicker back resets the count
    assert smoother.update("sl", Status.WARN) is Status.GOOD
    assert smoother.update("sl", Status.WARN) is Status.GOOD
    assert smoother.update("sl", Status.WARN) is Status.WARN
    assert smoother.update("sl", Status.UNKNOWN) is Status.UNKNOWN  # no data shows at once
