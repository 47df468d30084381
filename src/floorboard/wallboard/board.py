"""What the wallboard shows, as plain data: tiles, queue rows, agent rows, alerts and the
quality-versus-production line. Pure: built from merged views, rendered by ``widgets.py``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from floorboard.config import Config
from floorboard.engine import kpis
from floorboard.engine.kpis import Figure, Status
from floorboard.engine.layout import Layout
from floorboard.engine.views import QueueView, TeamView, Views, figures
from floorboard.events.model import ASYNC_CHANNELS
from floorboard.wallboard.hysteresis import StatusSmoother

SYMBOL = {
    Status.GOOD: "✓ OK",
    Status.WARN: "! WARN",
    Status.ALERT: "✗ ALERT",
    Status.UNKNOWN: "· —",
}
LONG_NOT_READY_MS = 15 * 60_000
LONG_ACW_MS = 3 * 60_000


class Kind(StrEnum):
    PRODUCTION = "production"
    QUALITY = "quality"


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    detail: str
    status: Status
    kind: Kind
    low_sample: bool = False


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


QUEUE_COLUMNS = ("Waiting", "Longest", "SL", "Abn", "ASA", "AHT", "CSAT", "NPS", "FCR")


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    whole = round(seconds)
    return (
        f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
        if whole >= 3600
        else f"{whole // 60}:{whole % 60:02d}"
    )


def survey_text(fig: Figure, fmt: str) -> tuple[str, str]:
    """Value and detail of a survey figure: n and the 95 % interval, or why it is greyed."""
    if fig.value is None:
        return "–", "no responses"
    value = fmt.format(fig.value)
    if fig.low_sample:
        return value, f"n={fig.n} · too few to judge"
    if fig.low is not None and fig.high is not None:
        return value, f"n={fig.n} · 95% {fmt.format(fig.low)}–{fmt.format(fig.high)}"
    return value, f"n={fig.n}"


class BoardBuilder:
    """Turns merged views into a Board; keeps the colour hysteresis across refreshes."""

    def __init__(self, config: Config, layout: Layout, hold: int = 3) -> None:
        self.config = config
        self.layout = layout
        self.smoother = StatusSmoother(hold)

    def _status(
        self,
        key: str,
        name: str,
        value: float | None,
        site: str | None = None,
        queue: str | None = None,
        low_sample: bool = False,
    ) -> Status:
        raw = kpis.classify(value, self.config.target(name, site, queue))
        # A low-sample figure is not judged: grey, not red.
        return self.smoother.update(key, Status.UNKNOWN if low_sample else raw)

    def _tile(
        self,
        scope: str,
        key: str,
        label: str,
        fig: Figure,
        name: str,
        kind: Kind,
        value: str,
        detail: str,
        site: str | None = None,
        queue: str | None = None,
    ) -> Tile:
        status = self._status(f"{scope}|{key}", name, fig.value, site, queue, fig.low_sample)
        return Tile(key, label, value, detail, status, kind, fig.low_sample)

    def tiles(
        self,
        scope: str,
        figs: dict[str, Figure],
        waiting: int,
        longest_s: float | None,
        pulse: dict[str, tuple[float, int]],
        extra: Iterable[Tile] = (),
        site: str | None = None,
        queue: str | None = None,
    ) -> list[Tile]:
        """Production and quality tiles interleaved, so every row holds both kinds."""
        sl = figs["service_level"]
        target = self.config.target("service_level", site, queue)
        sl_detail = f"{sl.variant or ''} · target {pct(target.warn) if target else '–'}"
        csat, csat_d = survey_text(figs["csat_mean"], "{:.1f}")
        nps, nps_d = survey_text(figs["nps"], "{:+.0f}")
        fcr, fcr_d = survey_text(figs["fcr_rate"], "{:.0%}")
        qa = figs["qa_score"]
        qa_text = pct(qa.value)
        qa_detail = f"n={qa.n}" + (" · too few to judge" if qa.low_sample and qa.n else "")
        wait_fig = Figure(float(waiting), n=waiting)
        longest_fig = Figure(longest_s)
        production = [
            self._tile(
                scope,
                "sl",
                "Service level",
                sl,
                "service_level",
                Kind.PRODUCTION,
                pct(sl.value),
                sl_detail,
                site,
                queue,
            ),
            self._tile(
                scope,
                "waiting",
                "Waiting",
                wait_fig,
                "waiting",
                Kind.PRODUCTION,
                str(waiting),
                "calls and chats in queue now",
                site,
                queue,
            ),
            self._tile(
                scope,
                "abandon",
                "Abandoned",
                figs["abandon_rate"],
                "abandon_rate",
                Kind.PRODUCTION,
                pct(figs["abandon_rate"].value),
                f"{int(figs['abandoned'].value or 0)} of {int(figs['offered'].value or 0)}",
                site,
                queue,
            ),
            self._tile(
                scope,
                "aht",
                "Handle time",
                figs["aht_s"],
                "aht_s",
                Kind.PRODUCTION,
                clock(figs["aht_s"].value),
                f"ASA {clock(figs['asa_s'].value)}",
                site,
                queue,
            ),
            self._tile(
                scope,
                "longest",
                "Longest wait",
                longest_fig,
                "longest_wait_s",
                Kind.PRODUCTION,
                clock(longest_s),
                "oldest contact waiting",
                site,
                queue,
            ),
        ]
        esat = pulse.get("employee_satisfaction")
        sick = pulse.get("sick_leave_rate")
        pulse_fig = Figure(esat[0] if esat else None, n=esat[1] if esat else 0)
        pulse_detail = f"sick leave {pct(sick[0])}" if sick else "staff wellbeing"
        quality = [
            self._tile(
                scope,
                "csat",
                "CSAT",
                figs["csat_mean"],
                "csat_mean",
                Kind.QUALITY,
                csat,
                csat_d,
                site,
                queue,
            ),
            self._tile(
                scope, "nps", "NPS", figs["nps"], "nps", Kind.QUALITY, nps, nps_d, site, queue
            ),
            self._tile(
                scope,
                "fcr",
                "First-contact res.",
                figs["fcr_rate"],
                "fcr_rate",
                Kind.QUALITY,
                fcr,
                fcr_d,
                site,
                queue,
            ),
            self._tile(
                scope,
                "qa",
                "QA score",
                qa,
                "qa_score",
                Kind.QUALITY,
                qa_text,
                qa_detail,
                site,
                queue,
            ),
            self._tile(
                scope,
                "pulse",
                "Team pulse",
                pulse_fig,
                "employee_satisfaction",
                Kind.QUALITY,
                "–" if esat is None else f"{esat[0]:.1f}/5",
                pulse_detail,
            ),
        ]
        out = [tile for pair in zip(production, quality, strict=True) for tile in pair]
        return out + list(extra)

    # --- layouts ---

    def supervisor(
        self, views: Views, window: str, site: str, queue_filter: str | None = None
    ) -> Board:
        queues = {k: q for k, q in views.queues.items() if k[0] == site and k[1]}
        if queue_filter is not None:
            queues = {k: q for k, q in queues.items() if k[1] == queue_filter}
            vector = _merge_vectors((q.windows.get(window) for q in queues.values()), self.layout)
            figs = figures(vector, self.config, self.layout)
            scope, title = f"q:{queue_filter}", f"{site} · queue {queue_filter} · {window}"
        else:
            figs = figures(views.site_windows(site).get(window), self.config, self.layout)
            scope, title = "site", f"{site} · all queues · {window}"
        waiting = sum(q.waiting for q in _synchronous(queues.values()))
        longest = _longest(_synchronous(queues.values()), views.as_of)
        pulse = _pulse(t for t in views.teams.values() if t.site == site)
        tiles = self.tiles(scope, figs, waiting, longest, pulse, site=site, queue=queue_filter)
        rows = [self._queue_row(views, key, q, window) for key, q in sorted(queues.items())]
        alerts = [
            f"✗ {label} {column} {c.text}"
            for label, cells in rows
            for column, c in zip(QUEUE_COLUMNS, cells, strict=True)
            if c.status is Status.ALERT
        ]
        agents = self._agents(views, site)
        return Board(title, tiles, self.balance(tiles), rows, agents, alerts)

    def team(self, views: Views, window: str, site: str, team: str) -> Board:
        view = views.teams.get((site, team), TeamView(site, team))
        figs = figures(view.windows.get(window), self.config, self.layout)
        skills = {q for a in view.agents for q in a.queues}
        own_queues = [q for k, q in views.queues.items() if k[0] == site and k[1] in skills]
        # Offers and abandons happen before any team is reached: service level and abandonment
        # on a team screen are those of the queues the team serves.
        queue_vector = _merge_vectors((q.windows.get(window) for q in own_queues), self.layout)
        queue_figs = figures(queue_vector, self.config, self.layout)
        for name in ("service_level", "abandon_rate", "abandoned", "offered"):
            figs[name] = queue_figs[name]
        waiting = sum(q.waiting for q in _synchronous(own_queues))
        longest = _longest(_synchronous(own_queues), views.as_of)
        occupancy = kpis.occupancy(view.agent_time.get(window, [0] * 5))
        spread = kpis.spread(view.agent_quality, self.config.engine)
        extra = [
            self._tile(
                f"team:{team}",
                "occupancy",
                "Occupancy",
                occupancy,
                "occupancy",
                Kind.PRODUCTION,
                pct(occupancy.value),
                f"{len(view.agents)} agents logged in",
            ),
            self._spread_tile(team, "csat_mean", "CSAT spread", spread["csat_mean"], "{:.1f}"),
        ]
        tiles = self.tiles(f"team:{team}", figs, waiting, longest, _pulse([view]), extra, site)
        title = f"{site} · team {team} · {window}"
        return Board(title, tiles, self.balance(tiles), [], [], [])

    def _spread_tile(
        self, team: str, key: str, label: str, spread: kpis.Spread | None, fmt: str
    ) -> Tile:
        if spread is None:
            value, detail = "–", "too few agents with enough responses"
        else:
            value = fmt.format(spread.iqr)
            middle = f"{fmt.format(spread.q1)}–{fmt.format(spread.q3)}"
            detail = f"middle half of agents {middle} ({spread.agents} agents)"
        # The spread is a conversation starter for the team, not a target: never coloured.
        return Tile(f"spread_{key}", label, value, detail, Status.UNKNOWN, Kind.QUALITY)

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

    def _queue_row(
        self, views: Views, key: tuple[str, str, str], q: QueueView, window: str
    ) -> tuple[str, list[Cell]]:
        site, queue, _channel = key
        f = figures(q.windows.get(window), self.config, self.layout, key)
        scope = "/".join(key)
        longest = _longest([q], views.as_of)

        def cell(name: str, text: str, value: float | None, low: bool = False) -> Cell:
            return Cell(text, self._status(f"{scope}|{name}", name, value, site, queue, low))

        def survey(name: str, fmt: str) -> Cell:
            fig = f[name]
            text = "–" if fig.value is None else f"{fmt.format(fig.value)} n{fig.n}"
            return cell(name, text, fig.value, fig.low_sample)

        sl = f["service_level"]
        if q.channel in ASYNC_CHANNELS:
            # Email and messaging wait hours by design: shown as backlog, judged by response SLA.
            live = [Cell(f"{q.backlog} open"), Cell(clock(longest))]
        else:
            live = [
                cell("waiting", str(q.waiting), float(q.waiting)),
                cell("longest_wait_s", clock(longest), longest),
            ]
        cells = [
            *live,
            cell("service_level", f"{pct(sl.value)} {sl.variant or ''}", sl.value),
            cell("abandon_rate", pct(f["abandon_rate"].value), f["abandon_rate"].value),
            cell("asa_s", clock(f["asa_s"].value), f["asa_s"].value),
            cell("aht_s", clock(f["aht_s"].value), f["aht_s"].value),
            survey("csat_mean", "{:.1f}"),
            survey("nps", "{:+.0f}"),
            survey("fcr_rate", "{:.0%}"),
        ]
        return scope, cells

    @staticmethod
    def _agents(views: Views, site: str) -> list[AgentRow]:
        rows = []
        for (s, team), view in views.teams.items():
            if s != site:
                continue
            for a in view.agents:
                elapsed = max(0, views.as_of - a.since)
                long = (a.state == "not_ready" and elapsed > LONG_NOT_READY_MS) or (
                    a.state == "acw" and elapsed > LONG_ACW_MS
                )
                state = f"{a.state} ({a.reason})" if a.reason else a.state
                rows.append(AgentRow(a.agent, team, state, clock(elapsed / 1000), long))
        return sorted(rows, key=lambda r: (r.state, r.team, r.agent))


def _merge_vectors(vectors: Iterable[list[int] | None], layout: Layout) -> list[int]:
    total = layout.zero()
    for vector in vectors:
        if vector is not None:
            for i, value in enumerate(vector):
                total[i] += value
    return total


def _synchronous(queues: Iterable[QueueView]) -> list[QueueView]:
    return [q for q in queues if q.channel not in ASYNC_CHANNELS]


def _longest(queues: Iterable[QueueView], as_of: int) -> float | None:
    oldest = [q.oldest_wait_ts for q in queues if q.oldest_wait_ts is not None]
    return None if not oldest else max(0, as_of - min(oldest)) / 1000


def _pulse(teams: Iterable[TeamView]) -> dict[str, tuple[float, int]]:
    """Pulse figures across teams, weighted by respondents (plain mean where none are given)."""
    sums: dict[str, tuple[float, int, int]] = {}
    for view in teams:
        for metric, p in view.pulse.items():
            total, weight, count = sums.get(metric, (0.0, 0, 0))
            w = max(p.respondents, 1)
            sums[metric] = (total + p.value * w, weight + w, count + p.respondents)
    return {m: (total / weight, n) for m, (total, weight, n) in sums.items()}
