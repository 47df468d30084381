"""What the wallboard shows, as plain data: tiles, queue rows, agent rows, alerts and the
quality-versus-production line. Pure: laid out from the figures the engine's views derive (every
KPI decision is made there), rendered by ``widgets.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from floorboard.config import Config, ResponseSla, Target
from floorboard.engine.day import LAST_WEEK
from floorboard.engine.forecast import (
    Staffing,
    queue_staffing,
    site_staffing,
    staffing,
    staffing_figures,
)
from floorboard.engine.kpis import Figure, Status, breach
from floorboard.engine.layout import Layout
from floorboard.engine.views import (
    QueueView,
    Views,
    backlog_age,
    backlog_target,
    channel_figures,
    figure_status,
    long_in_state,
    queue_figures,
    site_figures,
    site_queues,
    synchronous,
    team_figures,
    time_in_state_ms,
)
from floorboard.engine.windows import Window
from floorboard.events.model import ASYNC_CHANNELS
from floorboard.wallboard.formatting import clock, duration, pct, survey_cell, survey_value
from floorboard.wallboard.hysteresis import StatusSmoother
from floorboard.wallboard.tiles import TILES, BoardLayout, Kind, Tile, goal

# Queue table columns: (key, full heading, short heading). Compact tables (80 columns) leave
# out the figures the site tiles already show so the quality columns stay on screen.
QUEUE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("waiting", "Waiting", "Wait"),
    ("longest", "Longest", ""),
    ("staffing", "Need/on → SL", "Need/on"),
    ("sl", "SL", "SL"),
    ("abandon", "Abn", "Abn"),
    ("asa", "ASA", ""),
    ("aht", "AHT", "AHT"),
    ("csat", "CSAT", "CSAT"),
    ("nps", "NPS", "NPS"),
    ("fcr", "FCR", "FCR"),
)
# How a queue-table figure is named in the alert banner.
ALERT_NAMES = {
    "waiting": "waiting",
    "longest": "longest wait",
    "staffing": "needed/on",
    "sl": "SL",
    "abandon": "abandoned",
    "asa": "ASA",
    "aht": "AHT",
    "csat": "CSAT",
    "nps": "NPS",
    "fcr": "FCR",
}
CHANNEL_SHORT = {"voice": "voice", "chat": "chat", "messaging": "msg", "email": "email"}
NO_FIGURE = Figure(None)  # e.g. a pulse metric no team has reported
# How a queue figure and its target read, where not a clock time (…_s) or a percentage.
SHOW: dict[str, Callable[[float], str]] = {
    "waiting": "{:.0f}".format,
    "csat_mean": "{:.1f}".format,
    "nps": "{:+.0f}".format,
}
# Quality tiles that speak for customers (team pulse speaks for staff).
CUSTOMER_TILES = frozenset({"csat", "nps", "fcr", "ces", "qa"})
# Live figures: a count of now, not a sample, so always enough to judge.
LIVE_TILES = frozenset({"waiting", "longest"})


@dataclass(frozen=True)
class Cell:
    text: str
    status: Status = Status.UNKNOWN
    short: str | None = None  # the text in a compact table; ``text`` when None
    target: str = ""  # e.g. "≥80%", named in the alert banner
    breach: float = 0.0  # how far past its target, in widths of its amber band


@dataclass(frozen=True)
class QueueRow:
    key: str  # site/queue/channel
    label: str
    short: str
    cells: list[Cell]


@dataclass(frozen=True)
class Alert:
    """One entry of the alert banner: never split, ranked by severity then size of breach."""

    text: str
    status: Status
    breach: float


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
    queue_rows: list[QueueRow]
    agents: list[AgentRow]
    alerts: list[Alert]
    normal: str = ""  # this half hour beside the same half hour yesterday; empty without data


# Window ids in words, for the header.
WINDOW_WORDS = {
    "today": "today",
    "interval_30m": "this half hour",
    "previous_30m": "last half hour",
    "yesterday_30m": "same half hour yesterday",
    "interval_15m": "this quarter hour",
    "rolling_60m": "last 60 min",
    "rolling_30m": "last 30 min",
    "rolling_15m": "last 15 min",
}
# A queue's drill-down: its figures in each of these windows.
DETAIL_WINDOWS = ("today", "interval_30m", "previous_30m", "yesterday_30m", "rolling_60m",
                  "rolling_30m", "rolling_15m")  # fmt: skip


def window_words(window: str) -> str:
    return WINDOW_WORDS.get(window, window)


def compared(
    now: Mapping[str, Figure],
    yesterday: Mapping[str, Figure],
    last_week: Mapping[str, Figure] | None = None,
    weekday: str = "",
) -> str:
    """This half hour's ratios beside the same half hour yesterday and last week (both whole),
    each when it had any contacts: "This half hour (yesterday · last Tue): SL 65% (84% · 80%) ·
    …". Counts are left out: a half hour under way is not comparable with a whole one."""
    normal = [("same half hour yesterday", yesterday)]
    if last_week is not None:
        normal.append((f"last {weekday} at this time", last_week))
    normal = [(label, figs) for label, figs in normal if figs["offered"].value]
    if not normal:
        return ""
    rows = [
        ("SL", "service_level", pct),
        ("abandoned", "abandon_rate", pct),
        ("AHT", "aht_s", clock),
    ]
    figures = " · ".join(
        f"{name} {fmt(now[key].value)} ({' · '.join(fmt(f[key].value) for _, f in normal)})"
        for name, key, fmt in rows
    )
    labels = " · ".join(label for label, _ in normal)
    if len(normal) == 2:
        labels = f"yesterday · last {weekday}"
    return f"This half hour ({labels}): {figures}"


def _promise(sla: ResponseSla | None) -> str:
    """A response SLA in words: "≤24h", "≤1h (business)", "same day"."""
    if sla is None:
        return ""
    if sla.seconds is None:
        return "same day"
    within = f"≤{duration(sla.seconds)}"
    return f"{within} (business)" if sla.kind == "business_seconds" else within


def ranked(alerts: list[Alert]) -> list[Alert]:
    """Red before amber, then the biggest breach first; ties in table order."""
    severity = {Status.ALERT: 0, Status.WARN: 1}
    return sorted(alerts, key=lambda a: (severity.get(a.status, 2), -a.breach))


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
            target = self.config.target(
                spec.target or spec.figure, site, queue if spec.per_queue else None
            )
            value, detail = spec.text(fig, figs, target)
            if spec.judged:
                detail = f"{goal(target, spec.show)} · {detail}"
            status = (
                self.smoother.update(f"{scope}|{spec.key}", figure_status(fig, target))
                if spec.judged
                else Status.UNKNOWN
            )
            sample_ok = spec.key in LIVE_TILES or fig.n >= self.config.engine.min_responses
            enough = status is not Status.UNKNOWN and not fig.low_sample and sample_ok
            out.append(
                Tile(spec.key, spec.label, spec.short, value, detail, status, spec.kind,
                     fig.low_sample, enough)
            )  # fmt: skip
        return out

    # --- layouts ---

    def supervisor(
        self, views: Views, window: str, site: str, queue_filter: str | None = None
    ) -> Board:
        figs = site_figures(views, site, window, self.config, self.layout, queue_filter)
        # Phone targets judge calls and chats only; email and messaging their response SLA.
        figs.update(channel_figures(views, site, window, self.config, self.layout, queue_filter))
        figs.update(staffing_figures(self._staffing(views, site, queue_filter)))
        words = window_words(window)
        if queue_filter is None:
            # Agents serve the whole site, not one queue: occupancy is a site figure only.
            occupancy = pct(figs["occupancy"].value)
            scope, title = "site", f"{site} · all queues · {words} · occupancy {occupancy}"
        else:
            scope, title = f"q:{queue_filter}", f"{site} · queue {queue_filter} · {words}"
        # Each window keeps its own hysteresis: switching windows shows that window's colours.
        tiles = self.tiles(BoardLayout.SUPERVISOR, f"{scope}|{window}", figs, site, queue_filter)
        rows = [self._queue_row(views, q, window) for q in site_queues(views, site, queue_filter)]
        alerts = ranked(
            [
                Alert(
                    f"{'✗' if c.status is Status.ALERT else '!'} {row.label} "
                    f"{ALERT_NAMES[key]} {c.text} ({c.target})",
                    c.status,
                    c.breach,
                )
                for row in rows
                for (key, _, _), c in zip(QUEUE_COLUMNS, row.cells, strict=True)
                if c.status in (Status.ALERT, Status.WARN)
            ]
        )
        agents = self._agents(views, site)
        now, yesterday, last_week = (
            channel_figures(views, site, w, self.config, self.layout, queue_filter)
            for w in (Window.INTERVAL_30, Window.YESTERDAY_30, LAST_WEEK)
        )
        zone = self.config.sites[site].zone
        weekday = dt.datetime.fromtimestamp(views.as_of / 1000, tz=zone).strftime("%a")
        normal = compared(now, yesterday, last_week, weekday)
        return Board(title, tiles, self.balance(tiles), rows, agents, alerts, normal)

    def team(self, views: Views, window: str, site: str, team: str) -> Board:
        figs = team_figures(views, site, team, window, self.config, self.layout)
        tiles = self.tiles(BoardLayout.TEAM, f"team:{team}|{window}", figs, site)
        title = f"{site} · team {team} · {window_words(window)}"
        now, yesterday = (
            team_figures(views, site, team, w, self.config, self.layout)
            for w in (Window.INTERVAL_30, Window.YESTERDAY_30)
        )
        normal = compared(now, yesterday)
        return Board(title, tiles, self.balance(tiles), [], [], [], normal)

    @staticmethod
    def balance(tiles: list[Tile]) -> str:
        """Say it when production is green while quality is red, or the reverse — only when
        both sides have enough data: service level on enough contacts, CSAT on enough answers."""
        prod = [t for t in tiles if t.kind is Kind.PRODUCTION and t.enough]
        qual = [t for t in tiles if t.key in CUSTOMER_TILES and t.enough]
        if "sl" not in {t.key for t in prod} or "csat" not in {t.key for t in qual}:
            return ""
        bad_q = [t.label for t in qual if t.status is Status.ALERT]
        bad_p = [t.label for t in prod if t.status is Status.ALERT]
        if all(t.status is Status.GOOD for t in prod) and bad_q:
            return f"Production is on target, but customers are not: {', '.join(bad_q)} ✗"
        if all(t.status is Status.GOOD for t in qual) and bad_p:
            return f"Customers are satisfied, but production is behind: {', '.join(bad_p)} ✗"
        return ""

    def queue_detail(self, views: Views, key: str) -> list[str]:
        """A queue's drill-down (``key`` site/queue/channel): its figures in every window of
        ``DETAIL_WINDOWS``, one line each. Counts and ratios only: nobody is named."""
        site, queue, channel = key.split("/")
        q = views.queues.get((site, queue, channel))
        if q is None:
            return []
        written = channel in ASYNC_CHANNELS
        first = "1st resp" if written else "SL"
        lines = [f"{'window':<25}{'offered':>8}{'answered':>9}{first:>9}{'abandoned':>10}"
                 f"{'ASA':>8}{'AHT':>8}{'CSAT':>9}"]  # fmt: skip
        for window in DETAIL_WINDOWS:
            f = queue_figures(views, q, window, self.config, self.layout)
            rate = f["response_sla_rate" if written else "service_level"]
            lines.append(
                f"{window_words(window):<25}{f['offered'].n:>8}{f['answered'].n:>9}"
                f"{pct(rate.value):>9}{pct(f['abandon_rate'].value):>10}"
                f"{clock(f['asa_s'].value):>8}{clock(f['aht_s'].value):>8}"
                f"{survey_cell(f['csat_mean'], '{:.1f}'):>9}"
            )
        return lines

    def _staffing(self, views: Views, site: str, queue: str | None) -> Staffing:
        if queue is None:
            return site_staffing(views, site, self.config, self.layout)
        # One queue: its voice queue where it has one, else its chat queue.
        sync = synchronous(site_queues(views, site, queue))
        if not sync:
            return staffing(0.0, None, 0, 0, 0.0)
        voice = [q for q in sync if q.channel == "voice"]
        return queue_staffing(views, (voice or sync)[0], self.config, self.layout)

    def _queue_row(self, views: Views, q: QueueView, window: str) -> QueueRow:
        """One row of the queue table: cells in ``QUEUE_COLUMNS`` order. Calls and chats are
        judged by phone targets; email and messaging by their response SLA and backlog age."""
        f = queue_figures(views, q, window, self.config, self.layout)
        scope = f"{q.site}/{q.queue}/{q.channel}"
        settings = self.config.channel_settings(q.site, q.queue, q.channel)

        def cell(
            name: str,
            fig: Figure,
            text: str,
            short: str | None = None,
            target: Target | None = None,
        ) -> Cell:
            target = target or self.config.target(name, q.site, q.queue)
            status = self.smoother.update(f"{scope}|{window}|{name}", figure_status(fig, target))
            show = SHOW.get(name, clock if name.endswith("_s") else pct)
            goal_text = goal(target, show).removeprefix("target ") if target else ""
            return Cell(text, status, short, goal_text, breach(fig.value, target))

        def plain(fig: Figure, show: Callable[[float | None], str]) -> Cell:
            return Cell(show(fig.value))

        sl = f["service_level"]
        if q.channel in ASYNC_CHANNELS:
            # Email and messaging wait hours by design: backlog and its age, the response SLA.
            age = backlog_age([q], views.as_of)
            sla = f["response_sla_rate"]
            promise = _promise(settings.response_sla)
            live = [
                Cell(f"{q.backlog} open"),
                cell("backlog_age_s", age, clock(age.value), target=backlog_target(settings)),
            ]
            production = [
                Cell("–"),  # Erlang C forecasts calls and chats, not a backlog
                cell("response_sla_rate", sla, f"{pct(sla.value)} {promise}", pct(sla.value)),
                plain(f["abandon_rate"], pct),
                Cell(f"resp {clock(f['first_response_s'].value)}"),
                plain(f["aht_s"], clock),
            ]
        else:
            waiting, longest = f["waiting"], f["longest_wait_s"]
            live = [
                cell("waiting", waiting, str(q.waiting)),
                cell("longest_wait_s", longest, clock(longest.value)),
            ]
            st = queue_staffing(views, q, self.config, self.layout)
            forecast = staffing_figures(st)["expected_sl"]
            need, short = "–", "–"
            if st.needed is not None:
                short = f"{st.needed}/{st.staffed}"
                need = f"{short} → {pct(st.expected_sl)}"
            goal_sl = self.config.target("service_level", q.site, q.queue)
            production = [
                cell("staffing", forecast, need, short, target=goal_sl),
                cell("service_level", sl, f"{pct(sl.value)} ≤{settings.sl_threshold_s}s",
                     pct(sl.value)),
                cell("abandon_rate", f["abandon_rate"], pct(f["abandon_rate"].value)),
                cell("asa_s", f["asa_s"], clock(f["asa_s"].value)),
                cell("aht_s", f["aht_s"], clock(f["aht_s"].value)),
            ]  # fmt: skip
        quality = [
            cell(name, f[name], survey_cell(f[name], fmt), survey_value(f[name], fmt))
            for name, fmt in (("csat_mean", "{:.1f}"), ("nps", "{:+.0f}"), ("fcr_rate", "{:.0%}"))
        ]
        label = f"{q.queue}/{q.channel}"
        return QueueRow(scope, label, f"{q.queue}/{CHANNEL_SHORT.get(q.channel, q.channel)}",
                        [*live, *production, *quality])  # fmt: skip

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
