"""Widgets that render a Board: tiles, the queue table, the agent list, banners and the ticker."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Digits, Label, Static

from floorboard.engine.kpis import Status
from floorboard.wallboard.board import QUEUE_COLUMNS, AgentRow, Cell, QueueRow
from floorboard.wallboard.formatting import SYMBOL
from floorboard.wallboard.tiles import Tile

_STATUS_CLASSES = tuple(f"-{s.value}" for s in Status)
_STYLE = {
    Status.GOOD: "green",
    Status.WARN: "yellow",
    Status.ALERT: "bold red",
    Status.UNKNOWN: "dim",
}


class TileWidget(Vertical):
    """One figure: label, value, status word and detail (n and interval for surveys)."""

    def __init__(self, key: str, big: bool = False, narrow: bool = True) -> None:
        # CSS leaves out the tiles not ``narrow`` below 120 columns.
        super().__init__(id=f"tile-{key}", classes="tile" if narrow else "tile -wide-only")
        self.big = big

    def compose(self) -> ComposeResult:
        # Narrow tiles (80 columns) show the short label; CSS picks one.
        yield Label("", classes="tile-label -full")
        yield Label("", classes="tile-label -short")
        yield Digits("", classes="tile-value") if self.big else Static("", classes="tile-value")
        yield Static("", classes="tile-detail")

    def show(self, tile: Tile) -> None:
        # The status word sits beside the label: colour is never the only signal.
        self.query_one(".tile-label.-full", Label).update(f"{SYMBOL[tile.status]}  {tile.label}")
        self.query_one(".tile-label.-short", Label).update(f"{SYMBOL[tile.status]} {tile.short}")
        value = self.query_one(".tile-value")
        if isinstance(value, Digits | Static):
            value.update(tile.value)
        self.query_one(".tile-detail", Static).update(tile.detail)
        self.remove_class(*_STATUS_CLASSES, "-low", "-production", "-quality")
        self.add_class(f"-{tile.status.value}", f"-{tile.kind.value}")
        if tile.low_sample:
            self.add_class("-low")


class QueueTable(DataTable[str]):
    """Queues with their figures; ``compact`` (80 columns) leaves out the columns the site's tiles
    already show and the survey n, so the quality columns stay on screen."""

    compact: bool | None = None

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True

    def show(self, rows: list[QueueRow], compact: bool) -> None:
        if compact is not self.compact:
            self.compact = compact
            self.clear(columns=True)
            self.add_column("Queue", key="queue")
            for key, full, short in QUEUE_COLUMNS:
                if full if not compact else short:
                    self.add_column(short if compact else full, key=key)
        self.clear()
        for row in rows:
            cells = [
                _styled(cell, compact)
                for (_, _, short), cell in zip(QUEUE_COLUMNS, row.cells, strict=True)
                if short or not compact
            ]
            self.add_row(row.short if compact else row.label, *cells, key=row.key)


def _styled(cell: Cell, compact: bool = False) -> str:
    marker = {Status.ALERT: " ✗", Status.WARN: " !"}.get(cell.status, "")
    text = cell.short if compact and cell.short is not None else cell.text
    return f"[{_STYLE[cell.status]}]{text}{marker}[/]"


class AgentTable(DataTable[str]):
    """Agents by state. Time in state (and its ⚑ flag) comes right after the agent, before the
    state's reason, so no state text can push the flag off a narrow panel."""

    def on_mount(self) -> None:
        self.zebra_stripes = True
        for column in ("Agent", "Time", "State", "Team"):
            self.add_column(column, key=column)

    def show(self, rows: list[AgentRow]) -> None:
        self.clear()
        for row in rows:
            time = f"[bold yellow]{row.time_in_state} ⚑ long[/]" if row.long else row.time_in_state
            self.add_row(row.agent, time, row.state, row.team)


class StaleBanner(Static):
    """Covers the board when data stops arriving: a frozen board that looks alive is worst."""
