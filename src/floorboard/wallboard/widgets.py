"""Widgets that render a Board: tiles, the queue table, the agent list, banners and the ticker."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Digits, Label, Static

from floorboard.engine.kpis import Status
from floorboard.wallboard.board import QUEUE_COLUMNS, AgentRow, Cell
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

    def __init__(self, key: str, big: bool = False) -> None:
        super().__init__(id=f"tile-{key}", classes="tile")
        self.big = big

    def compose(self) -> ComposeResult:
        yield Label("", classes="tile-label")
        yield Digits("", classes="tile-value") if self.big else Static("", classes="tile-value")
        yield Static("", classes="tile-detail")

    def show(self, tile: Tile) -> None:
        # The status word sits beside the label: colour is never the only signal.
        self.query_one(".tile-label", Label).update(f"{SYMBOL[tile.status]}  {tile.label}")
        value = self.query_one(".tile-value")
        if isinstance(value, Digits | Static):
            value.update(tile.value)
        self.query_one(".tile-detail", Static).update(tile.detail)
        self.remove_class(*_STATUS_CLASSES, "-low", "-production", "-quality")
        self.add_class(f"-{tile.status.value}", f"-{tile.kind.value}")
        if tile.low_sample:
            self.add_class("-low")


class QueueTable(DataTable[str]):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("Queue", key="queue")
        for column in QUEUE_COLUMNS:
            self.add_column(column, key=column)

    def show(self, rows: list[tuple[str, list[Cell]]]) -> None:
        self.clear()
        for label, cells in rows:
            self.add_row(label, *(_styled(c) for c in cells), key=label)


def _styled(cell: Cell) -> str:
    marker = {Status.ALERT: " ✗", Status.WARN: " !"}.get(cell.status, "")
    return f"[{_STYLE[cell.status]}]{cell.text}{marker}[/]"


class AgentTable(DataTable[str]):
    def on_mount(self) -> None:
        self.zebra_stripes = True
        for column in ("Agent", "Team", "State", "Time in state"):
            self.add_column(column, key=column)

    def show(self, rows: list[AgentRow]) -> None:
        self.clear()
        for row in rows:
            style = "bold yellow" if row.long else ""
            flag = " ⚑ long" if row.long else ""
            self.add_row(
                row.agent,
                row.team,
                row.state,
                f"[{style}]{row.time_in_state}{flag}[/]" if style else row.time_in_state,
            )


class StaleBanner(Static):
    """Covers the board when data stops arriving: a frozen board that looks alive is worst."""
