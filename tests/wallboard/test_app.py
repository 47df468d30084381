"""Pilot tests of the running Textual app on real snapshot data."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.wallboard.app import ListScreen, WallboardApp
from floorboard.wallboard.widgets import TileWidget
from tests.wallboard.data import NOW, example_config, store


def app(clock_ms: list[int], good_quality: bool = False) -> WallboardApp:
    cfg = example_config()
    return WallboardApp(cfg, store(cfg, good_quality), clock=lambda: clock_ms[0], refresh_s=3600)


async def test_layout_switching_with_keys() -> None:
    a = app([NOW])
    async with a.run_test(size=(120, 40)) as pilot:
        assert a.query_one("#supervisor").display
        await pilot.press("t")
        assert a.layout_name == "team" and a.team == "blue"
        assert not a.query_one("#supervisor").display
        assert a.query_one("#team-tiles").display
        await pilot.press("n")
        assert a.team == "red"
        await pilot.press("s")
        assert a.query_one("#supervisor").display


async def test_stale_banner_covers_the_board_with_the_age() -> None:
    clock = [NOW]
    a = app(clock)
    async with a.run_test(size=(120, 40)) as pilot:
        banner = a.query_one("#stale", Static)
        assert not banner.has_class("-visible")
        clock[0] = NOW + 42_000
        a.refresh_board()
        await pilot.pause()
        assert banner.has_class("-visible")
        assert "last update 42 s ago" in str(banner.render())


async def test_tile_colours_follow_targets_with_words() -> None:
    a = app([NOW])
    async with a.run_test(size=(120, 40)):
        sl = a.query_one("#tiles #tile-sl", TileWidget)
        assert sl.has_class("-alert")
        assert "✗ ALERT" in str(sl.query_one(".tile-label", Static).render())
        abandon = a.query_one("#tiles #tile-abandon", TileWidget)
        assert abandon.has_class("-good")


async def test_low_sample_tile_is_greyed() -> None:
    a = app([NOW])
    async with a.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        csat = a.query_one("#team-tiles #tile-csat", TileWidget)
        assert csat.has_class("-low") and csat.has_class("-unknown")


async def test_command_palette_offers_teams_and_queues() -> None:
    a = app([NOW])
    async with a.run_test(size=(120, 40)):
        titles = [c.title for c in a.get_system_commands(a.screen)]
        assert {"Team: blue", "Team: red", "Queue: billing", "Layout: supervisor"} <= set(titles)
        next(c for c in a.get_system_commands(a.screen) if c.title == "Team: red").callback()
        assert (a.layout_name, a.team) == ("team", "red")


async def test_light_and_dark_themes() -> None:
    cfg = example_config()
    for theme, textual_theme in (("light", "textual-light"), ("dark", "textual-dark")):
        a = WallboardApp(cfg, store(cfg), theme=theme, clock=lambda: NOW, refresh_s=3600)
        async with a.run_test(size=(120, 40)):
            assert a.theme == textual_theme
            assert a.current_theme.dark is (theme == "dark")


async def test_a_source_reset_is_shown_in_the_header() -> None:
    cfg = example_config()
    records = store(cfg)
    a = WallboardApp(cfg, records, clock=lambda: NOW, refresh_s=3600)
    async with a.run_test(size=(120, 40)) as pilot:
        header = a.query_one("#header", Static)
        assert "SOURCE RESET" not in str(header.render())
        engine = Engine(cfg)
        engine.restart_source(0)  # as a worker does when its topic starts over
        records.add_all(snapshot(engine, NOW, "p1"), NOW)
        a.refresh_board()
        await pilot.pause()
        assert "SOURCE RESET: figures incomplete" in str(header.render())


async def test_alert_banner_shows_whole_entries_and_the_full_list_is_one_key_away() -> None:
    a = app([NOW])
    async with a.run_test(size=(80, 24)) as pilot:
        assert a.board is not None
        entries = [alert.text for alert in a.board.alerts]
        banner = str(a.query_one("#alerts", Static).render())
        lines = banner.splitlines()
        assert len(lines) == 2
        assert lines[-1].endswith("more · press a for all")
        shown = [part for line in lines for part in line.split("  ") if part in entries]
        assert shown == entries[: len(shown)] and len(shown) < len(entries)
        await pilot.press("a")
        listed = str(a.screen.query_one(".list-lines", Static).render()).splitlines()
        assert listed == entries
        await pilot.press("escape")
        assert not isinstance(a.screen, ListScreen)


async def test_narrow_queue_table_keeps_the_quality_columns() -> None:
    a = app([NOW])
    async with a.run_test(size=(80, 24)):
        table = a.query_one("#queues", DataTable)
        headings = [str(c.label) for c in table.columns.values()]
        assert headings == ["Queue", "Wait", "Need/on", "SL", "Abn", "AHT", "CSAT", "NPS", "FCR"]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80


async def test_long_state_flag_stays_beside_the_agent_whatever_the_state_text() -> None:
    a = app([NOW])
    async with a.run_test(size=(200, 60)):
        table = a.query_one("#agents", DataTable)
        rows = {str(r[0]): r for r in (table.get_row_at(i) for i in range(table.row_count))}
        assert "⚑ long" in rows["blue-0"][1]
        columns = list(table.columns.values())
        assert [str(c.label) for c in columns][:2] == ["Agent", "Time"]
        # the flag's column ends within the panel, whatever the width of the state text
        assert sum(c.get_render_width(table) for c in columns[:2]) <= table.size.width
