"""The Textual wallboard application: supervisor and team layouts over a RecordStore."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from importlib.resources import files
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Sparkline, Static

from floorboard.config import Config
from floorboard.engine.layout import Layout
from floorboard.engine.views import Views, site_figures
from floorboard.wallboard.board import Board, BoardBuilder
from floorboard.wallboard.drilldown import day_lines
from floorboard.wallboard.formatting import fit_lines
from floorboard.wallboard.link import Link, wall_ms
from floorboard.wallboard.store import RecordStore
from floorboard.wallboard.tiles import TILES, BoardLayout, tile_keys
from floorboard.wallboard.widgets import AgentTable, QueueTable, StaleBanner, TileWidget

SUPERVISOR_TILES = tile_keys(BoardLayout.SUPERVISOR)
TEAM_TILES = tile_keys(BoardLayout.TEAM)
# Sparklines of the site: label, figure and the window it is read over.
TRENDS = (
    ("SL, last 15 min, each minute", "service_level", "rolling_15m"),
    ("CSAT, last 60 min, each minute", "csat_mean", "rolling_60m"),
)
TREND_POINTS = 60  # one per minute of data time: the last hour
THEMES = {"dark": "textual-dark", "light": "textual-light"}
Reader = Callable[[RecordStore], Awaitable[None]]
NARROW_COLUMNS = 120  # below this: the compact layout (CSS class -narrow)
# Below this the queue table, beside the agent panel, is compact (a 1080p or 4K kiosk at the
# default 45 rows is about 160 columns).
FULL_TABLE_COLUMNS = 200
MORE_ALERTS = "+{} more · press a for all"


class ListScreen(ModalScreen[None]):
    """A full list over the board (every alert); escape or its key closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Close"),
        Binding("a", "app.pop_screen", "Close", show=False),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(classes="list-screen")
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="list-body"):
            yield Label(self.title_text, classes="list-title")
            with ScrollableContainer(classes="list-scroll"):  # arrows and page keys scroll it
                yield Static("\n".join(self.lines) or "nothing", classes="list-lines")
            yield Footer()


class Ticker:
    """Announcement lines from a file, one shown at a time; the file is re-read when it changes."""

    def __init__(self, path: Path | None, seconds_per_line: float = 8.0) -> None:
        self.path = path
        self.seconds = seconds_per_line
        self._mtime = -1.0
        self._lines: list[str] = []

    def line(self, now_ms: int) -> str:
        if self.path is None:
            return ""
        try:
            mtime = self.path.stat().st_mtime
            if mtime != self._mtime:
                self._mtime = mtime
                text = self.path.read_text(encoding="utf-8")
                self._lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        except OSError:
            self._lines = []
        if not self._lines:
            return ""
        return self._lines[int(now_ms / 1000 / self.seconds) % len(self._lines)]


class WallboardApp(App[None]):
    # Read through importlib.resources so the stylesheet is found wherever the package lives.
    CSS = (files(__package__) / "wallboard.tcss").read_text(encoding="utf-8")
    TITLE = "Floorboard"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [  # type: ignore[misc]
        (0, "-narrow"),
        (120, "-medium"),
        (200, "-wide"),
        (240, "-huge"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "layout('supervisor')", "Supervisor"),
        Binding("t", "layout('team')", "Team"),
        Binding("n", "next_team", "Next team"),
        Binding("w", "next_window", "Window"),
        Binding("r", "toggle_rotation", "Rotate"),
        Binding("a", "all_alerts", "All alerts"),
        Binding("q", "quit", "Quit"),
    ]
    WINDOWS = ("today", "interval_30m", "rolling_60m", "rolling_15m")

    layout_name: reactive[str] = reactive("supervisor")
    team: reactive[str | None] = reactive(None)
    queue_filter: reactive[str | None] = reactive(None)
    window: reactive[str] = reactive("today")

    def __init__(
        self,
        config: Config,
        store: RecordStore,
        *,
        layout_name: str = "supervisor",
        team: str | None = None,
        site: str | None = None,
        stale_after_s: float = 10.0,
        refresh_s: float = 1.0,
        rotate_s: float | None = None,
        ticker: Ticker | None = None,
        clock: Callable[[], int] = wall_ms,
        reader: Reader | None = None,
        link: Link | None = None,
        theme: str = "dark",
    ) -> None:
        super().__init__()
        self.theme = THEMES[theme]
        self.config = config
        self.store = store
        self.builder = BoardBuilder(config, Layout(config.wait_bounds_ms, config.handle_bounds_ms))
        self.site = site or next(iter(config.sites))
        self.stale_after_ms = int(stale_after_s * 1000)
        self.refresh_s = refresh_s
        self.rotate_s = rotate_s
        self.ticker = ticker or Ticker(None)
        self.clock = clock
        self.reader = reader
        self.link = link
        self.trends: dict[str, deque[float]] = {
            label: deque(maxlen=TREND_POINTS) for label, _, _ in TRENDS
        }
        self._trend_minute = -1
        self._teams: list[str] = []
        self._rotation_step = 0
        self.set_reactive(WallboardApp.layout_name, layout_name)
        self.set_reactive(WallboardApp.team, team)
        self.board: Board | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="header")
        yield Static("", id="alerts", classes="-empty")
        yield Static("", id="balance", classes="-empty")
        yield Static("", id="normal", classes="-empty")
        with Vertical(id="supervisor"):
            with Vertical(id="tiles"):
                for spec in TILES:
                    if BoardLayout.SUPERVISOR in spec.layouts:
                        yield TileWidget(spec.key, narrow=spec.narrow)
            with Horizontal(id="lower"):
                yield QueueTable(id="queues")
                with Vertical(id="side"):
                    yield AgentTable(id="agents")
                    with Vertical(id="trends"):
                        for i, name in enumerate(self.trends):
                            yield Label(name, classes="trend-label")
                            yield Sparkline([], id=f"trend-{i}")
        with Vertical(id="team-tiles"):
            for key in TEAM_TILES:
                yield TileWidget(key, big=True)
        yield StaleBanner("", id="stale")
        yield StaleBanner("", id="offline")
        yield Static("", id="ticker")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(self.refresh_s, self.refresh_board)
        if self.rotate_s:
            self.set_interval(self.rotate_s, self.rotate)
        if self.reader is not None:
            self.run_worker(self.reader(self.store), exclusive=True, group="reader")
        self.refresh_board()

    # --- actions ---

    def action_layout(self, name: str) -> None:
        self.layout_name = name

    def action_next_team(self) -> None:
        if self._teams:
            current = self._teams.index(self.team) if self.team in self._teams else -1
            self.team = self._teams[(current + 1) % len(self._teams)]
            self.layout_name = "team"

    def action_next_window(self) -> None:
        self.window = self.WINDOWS[(self.WINDOWS.index(self.window) + 1) % len(self.WINDOWS)]

    def action_all_alerts(self) -> None:
        alerts = [a.text for a in self.board.alerts] if self.board else []
        self.push_screen(ListScreen(f"All alerts ({len(alerts)}), worst first", alerts))

    def on_data_table_row_selected(self, event: QueueTable.RowSelected) -> None:
        """Enter on a queue: its figures in every window, its half hours of the day and its
        abandoned contacts, over the board."""
        if event.data_table.id != "queues" or self._last_views is None:
            return
        key = str(event.row_key.value)
        lines = self.builder.queue_detail(self._last_views, key)
        if lines:
            site, queue, channel = key.split("/")
            day = self.store.days(self.config.engine.abandoned_list_max).get((site, queue, channel))
            lines += ["", *day_lines(day, self.config, self.builder.layout)]
            title = f"Queue {key}: window by window, the day's half hours, abandoned today"
            self.push_screen(ListScreen(title, lines))

    def action_toggle_rotation(self) -> None:
        self.rotate_s = None if self.rotate_s else 15.0
        if self.rotate_s:
            self.set_interval(self.rotate_s, self.rotate)

    def rotate(self) -> None:
        """Cycle supervisor → each team → supervisor …"""
        if not self.rotate_s:
            return
        screens: list[tuple[str, str | None]] = [("supervisor", None)]
        screens += [("team", t) for t in self._teams]
        self._rotation_step = (self._rotation_step + 1) % len(screens)
        self.layout_name, team = screens[self._rotation_step]
        if team is not None:
            self.team = team

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Layout: supervisor",
            "Queues, agents and trends",
            lambda: self.action_layout("supervisor"),
        )
        for team in self._teams:
            yield SystemCommand(
                f"Team: {team}", f"Team screen for {team}", lambda t=team: self._show_team(t)
            )
        yield SystemCommand("Queue: all", "Site totals on the tiles", lambda: self._filter(None))
        for queue in sorted(
            {k[1] for k in self._last_views.queues if k[1]} if self._last_views else ()
        ):
            yield SystemCommand(
                f"Queue: {queue}", f"Tiles for queue {queue}", lambda q=queue: self._filter(q)
            )

    def _show_team(self, team: str) -> None:
        self.team = team
        self.layout_name = "team"

    def _filter(self, queue: str | None) -> None:
        self.queue_filter = queue
        self.layout_name = "supervisor"

    # --- refresh ---

    _last_views: Views | None = None

    def on_resize(self) -> None:
        self.refresh_board()

    def watch_layout_name(self) -> None:
        self.refresh_board()

    def watch_team(self) -> None:
        self.refresh_board()

    def watch_queue_filter(self) -> None:
        self.refresh_board()

    def watch_window(self) -> None:
        self.refresh_board()

    def refresh_board(self) -> None:
        if not self.is_running:
            return
        now = self.clock()
        views = self.store.views(now)
        self._last_views = views
        self._teams = sorted(t for (s, t) in views.teams if s == self.site)
        if self.layout_name == "team" and self.team is None and self._teams:
            self.team = self._teams[0]
        if self.layout_name == "team":
            board = self.builder.team(views, self.window, self.site, self.team or "")
            tile_ids: tuple[str, ...] = TEAM_TILES
        else:
            board = self.builder.supervisor(views, self.window, self.site, self.queue_filter)
            tile_ids = SUPERVISOR_TILES
        self.board = board
        self._render_board(board, tile_ids, views)
        self._render_freshness(now, views)
        self.query_one("#ticker", Static).update(self.ticker.line(now))

    def _render_board(self, board: Board, tile_ids: tuple[str, ...], views: Views) -> None:
        supervisor = self.layout_name != "team"
        self.query_one("#supervisor").display = supervisor
        self.query_one("#team-tiles").display = not supervisor
        container = "#tiles" if supervisor else "#team-tiles"
        by_key = {t.key: t for t in board.tiles}
        for key in tile_ids:
            self.query_one(f"{container} #tile-{key}", TileWidget).show(by_key[key])
        narrow = self.size.width < NARROW_COLUMNS
        alerts = self.query_one("#alerts", Static)
        # Whole entries, worst first, on 2 lines (3 when wide); the rest one key away.
        lines = fit_lines(
            [a.text for a in board.alerts], self.size.width - 2, 2 if narrow else 3, MORE_ALERTS
        )
        alerts.update("\n".join(lines))
        alerts.set_class(not board.alerts, "-empty")
        balance = self.query_one("#balance", Static)
        balance.update(board.balance)
        balance.set_class(not board.balance, "-empty")
        normal = self.query_one("#normal", Static)
        normal.update(board.normal)
        normal.set_class(not board.normal, "-empty")
        if supervisor:
            compact = self.size.width < FULL_TABLE_COLUMNS
            self.query_one(QueueTable).show(board.queue_rows, compact=compact)
            self.query_one(AgentTable).show(board.agents)
            self._sample_trends(views)

    def _sample_trends(self, views: Views) -> None:
        minute = views.as_of // 60_000
        if minute == self._trend_minute or not views.queues:
            return
        self._trend_minute = minute
        for label, name, window in TRENDS:
            figs = site_figures(views, self.site, window, self.config, self.builder.layout)
            value = figs[name].value
            if value is not None:
                self.trends[label].append(value)
        for i, series in enumerate(self.trends.values()):
            self.query_one(f"#trend-{i}", Sparkline).data = list(series)

    def _render_freshness(self, now: int, views: Views) -> None:
        age = self.store.age_ms(now)
        offline = self.link is not None and self.link.down_since_ms is not None
        stale = not offline and (age is None or age > self.stale_after_ms)
        data_age = "no data received yet" if age is None else f"last update {_ago(age)} ago"
        banner = self.query_one("#stale", StaleBanner)
        banner.set_class(stale, "-visible")
        if stale:
            banner.update(
                f"⚠ DATA IS STALE ⚠\n\n{data_age}\nfigures below are frozen — check the feed"
            )
        link_banner = self.query_one("#offline", StaleBanner)
        link_banner.set_class(offline, "-visible")
        if self.link is not None and self.link.down_since_ms is not None:
            since = self._local(self.link.down_since_ms)
            link_banner.update(
                f"⚠ CANNOT REACH THE BROKER ⚠\n\n{self.link.address}\n"
                f"unreachable since {since} ({_ago(now - self.link.down_since_ms)})\n"
                f"{data_age} — retrying"
            )
        as_of = self._local(views.as_of) if views.as_of else "–"
        title = self.board.title if self.board else ""
        # A source that started over (docs/operations.md, "Source resets") lost events.
        reset = (
            " · ⚠ SOURCE RESET: figures incomplete" if views.counters.get("source_resets") else ""
        )
        # The product name gives way below 120 columns so the data's time stays on screen.
        name = "" if self.size.width < NARROW_COLUMNS else "FLOORBOARD · "
        self.query_one("#header", Static).update(f"{name}{title} · data as of {as_of}{reset}")

    def _local(self, epoch_ms: int) -> str:
        """A wall time of the day in the site's timezone."""
        zone = self.config.sites[self.site].zone
        return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=zone).strftime("%H:%M:%S")


def _ago(ms: int) -> str:
    seconds = max(0, ms) // 1000
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
