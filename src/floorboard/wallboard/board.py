"""What the wallboard shows, as plain data: tiles, queue rows, agent rows, alerts and the
quality-versus-production line. Pure: laid out from the figures the engine's views derive (every
KPI decision is made there), rendered by ``widgets.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from floorboard.config import Config
from floorboard.engine.kpis import Figure, Status
from floorboard.engine.layout import Layout
from floorboard.engine.views import (
    QueueView,
    Views,
    figure_status,
    long_in_state,
    queue_figures,
    site_figures,
    site_queues,
    team_figures,
    time_in_state_ms,
)
from floorboard.events.model import ASYNC_CHANNELS
from floorboard.wallboard.formatting import clock, pct, survey_cell
from floorboard.wallboard.hysteresis import StatusSmoother
from floorboard.wallboard.tiles import TILES, BoardLayout, Kind, Tile

QUEUE_COLUMNS = ("Waiting", "Longest", "SL", "Abn", "ASA", "AHT", "CSAT", "NPS", "FCR")
NO_FIGURE = Figure(None)  # e.g. a pulse metric no team has reported


@dataclass(frozen=True)
class Cell:
    text: str
    status: Status = Status.UNKNOWN


@dataclass(frozen=True)
class AgentRow:
    agent: str
    team: str
    state: str
    time_in_state: str
    long: bool


@dataclass(frozen=True)
class Board:
    title: str
    tiles: list[Tile]
    balance: str  # the quality-versus-production line; empty when nothing to say
    queue_rows: list[tuple[str, list[Cell]]]
    agents: list[AgentRow]
    alerts: list[str]


class BoardBuilder:
    """Turns merged views into a Board; keeps the colour hysteresis across refreshes."""

    def __init__(self, config: Config, layout: Layout, hold: int = 3) -> None:
        self.config = config
        self.layout = layout
        self.smoother = StatusSmoother(hold)

    def tiles(
        self,
        board_layout: BoardLayout,
        scope: str,
        figs: Mapping[str, Figure],
        site: str,
        queue: str | None = None,
    ) -> list[Tile]:
        """The tiles of ``board_layout`` in ``TILES`` order, read from one screen's figures."""
        out = []
        for spec in TILES:
            if board_layout not in spec.layouts:
                continue
            fig = figs.get(spec.figure, NO_FIGURE)
            target = self.config.target(spec.figure, site, queue if spec.per_queue else None)
            value, detail = spec.text(fig, figs, target)
            status = (
                self.smoother.update(f"{scope}|{spec.key}", figure_status(fig, target))
                if spec.judged
                else Status.UNKNOWN
            )
            out.append(Tile(spec.key, spec.label, value, detail, status, spec.kind, fig.low_sample))
        return out

    # --- layouts ---

    def supervisor(
        self, views: Views, window: str, site: str, queue_filter: str | None = None
    ) -> Board:
        figs = site_figures(views, site, window, self.config, self.layout, queue_filter)
        if queue_filter is None:
            # Agents serve the whole site, not one queue: occupancy is a site figure only.
            occupancy = pct(figs["occupancy"].value)
            scope, title = "site", f"{site} · all queues · {window} · occupancy {occupancy}"
        else:
            scope, title = f"q:{queue_filter}", f"{site} · queue {queue_filter} · {window}"
        tiles = self.tiles(BoardLayout.SUPERVISOR, scope, figs, site, queue_filter)
        rows = [self._queue_row(views, q, window) for q in site_queues(views, site, queue_filter)]
        alerts = [
            f"✗ {label} {column} {c.text}"
            for label, cells in rows
            for column, c in zip(QUEUE_COLUMNS, cells, strict=True)
            if c.status is Status.ALERT
        ]
        agents = self._agents(views, site)
        return Board(title, tiles, self.balance(tiles), rows, agents, alerts)

    def team(self, views: Views, window: str, site: str, team: str) -> Board:
        figs = team_figures(views, site, team, window, self.config, self.layout)
        tiles = self.tiles(BoardLayout.TEAM, f"team:{team}", figs, site)
        return Board(f"{site} · team {team} · {window}", tiles, self.balance(tiles), [], [], [])

    @staticmethod
    def balance(tiles: list[Tile]) -> str:
        """Say it when production is green while quality is red, or the reverse."""
        prod = [t for t in tiles if t.kind is Kind.PRODUCTION and t.status is not Status.UNKNOWN]
        qual = [t for t in tiles if t.kind is Kind.QUALITY and t.status is not Status.UNKNOWN]
        if not prod or not qual:
            return ""
        bad_q = [t.label for t in qual if t.status is Status.ALERT]
        bad_p = [t.label for t in prod if t.status is Status.ALERT]
        if all(t.status is Status.GOOD for t in prod) and bad_q:
            return f"Production is on target, but customers are not: {', '.join(bad_q)} ✗"
        if all(t.status is Status.GOOD for t in qual) and bad_p:
            return f"Customers are satisfied, but production is behind: {', '.join(bad_p)} ✗"
        return ""

    def _queue_row(self, views: Views, q: QueueView, window: str) -> tuple[str, list[Cell]]:
        """One row of the queue table: cells in ``QUEUE_COLUMNS`` order."""
        f = queue_figures(views, q, window, self.config, self.layout)
        scope = f"{q.site}/{q.queue}/{q.channel}"

        def cell(name: str, text: str) -> Cell:
            status = figure_status(f[name], self.config.target(name, q.site, q.queue))
            return Cell(text, self.smoother.update(f"{scope}|{name}", status))

        longest = clock(f["longest_wait_s"].value)
        if q.channel in ASYNC_CHANNELS:
            # Email and messaging wait hours by design: shown as backlog, judged by response SLA.
            live = [Cell(f"{q.backlog} open"), Cell(longest)]
        else:
            live = [cell("waiting", str(q.waiting)), cell("longest_wait_s", longest)]
        sl = f["service_level"]
        cells = [
            *live,
            cell("service_level", f"{pct(sl.value)} {sl.variant or ''}"),
            cell("abandon_rate", pct(f["abandon_rate"].value)),
            cell("asa_s", clock(f["asa_s"].value)),
            cell("aht_s", clock(f["aht_s"].value)),
            cell("csat_mean", survey_cell(f["csat_mean"], "{:.1f}")),
            cell("nps", survey_cell(f["nps"], "{:+.0f}")),
            cell("fcr_rate", survey_cell(f["fcr_rate"], "{:.0%}")),
        ]
        return scope, cells

    def _agents(self, views: Views, site: str) -> list[AgentRow]:
        # Works-council mode: the worker publishes only the day's pseudonym and the state.
        hidden = self.config.privacy.works_council
        rows = [
            AgentRow(
                a.agent,
                team,
                f"{a.state} ({a.reason})" if a.reason else a.state,
                "–" if hidden else clock(time_in_state_ms(a, views.as_of) / 1000),
                not hidden and long_in_state(a, views.as_of),
            )
            for (s, team), view in views.teams.items()
            if s == site
            for a in view.agents
        ]
        return sorted(rows, key=lambda r: (r.state, r.team, r.agent))
