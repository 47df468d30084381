"""The wallboard's tiles as a table: which figure each shows, how it reads, on which layouts.

Production and quality tiles alternate in ``TILES``, so every row of tiles holds both kinds at
2, 4, 5 or 10 columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from floorboard.config import Direction, Target
from floorboard.engine.kpis import Figure, Status
from floorboard.wallboard.formatting import clock, pct, survey_text

Figures = Mapping[str, Figure]
# Value and detail text of a tile from its figure, all the screen's figures and its target.
TileText = Callable[[Figure, Figures, Target | None], tuple[str, str]]


class Kind(StrEnum):
    PRODUCTION = "production"
    QUALITY = "quality"


class BoardLayout(StrEnum):
    SUPERVISOR = "supervisor"
    TEAM = "team"


BOTH = frozenset(BoardLayout)


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    short: str  # the label where a tile is narrow (80 columns)
    value: str
    detail: str  # the target first, then the formula and its n
    status: Status
    kind: Kind
    low_sample: bool = False
    enough: bool = False  # enough data to be judged: the balance line speaks only then


@dataclass(frozen=True)
class TileSpec:
    key: str  # widget id and hysteresis key
    label: str
    short: str
    figure: str  # a name from the views' figures; also the name of its target
    kind: Kind
    text: TileText
    show: Callable[[float], str]  # how the figure's value and its target read
    layouts: frozenset[BoardLayout] = BOTH
    per_queue: bool = True  # a filtered queue's own target applies
    judged: bool = True  # coloured against its target
    target: str | None = None  # the target's name, when not the figure's
    narrow: bool = True  # shown below 120 columns too


def goal(target: Target | None, show: Callable[[float], str]) -> str:
    """A target in words: "target ≥80%", "target ≤1:00"."""
    if target is None:
        return "no target"
    return f"target {'≥' if target.good is Direction.HIGHER else '≤'}{show(target.warn)}"


def _survey(fmt: str) -> TileText:
    return lambda fig, _figs, _target: survey_text(fig, fmt)


def _service_level(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
    # A team's SL is that of the queues it answered, the site's that of its calls and chats.
    scope = f" · {fig.scope}" if fig.scope else ""
    return pct(fig.value), f"{fig.variant or ''}{scope}"


def _waiting(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
    return str(fig.n), "calls and chats in queue now"


def _abandoned(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    return pct(fig.value), f"abn / offered: {figs['abandoned'].n} of {figs['offered'].n}"


def _handle_time(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    resolve = figs["resolve_time_s"]
    # Email and messaging resolve times are hours long: shown only where items were resolved.
    after = f" · resolve {clock(resolve.value)} n={resolve.n}" if resolve.n else ""
    return clock(fig.value), f"ASA {clock(figs['asa_s'].value)} · (talk+hold+ACW) / handled{after}"


def _qa(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
    note = " · too few to judge" if fig.low_sample and fig.n else ""
    return pct(fig.value), f"n={fig.n}{note}"


def _longest(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
    return clock(fig.value), "oldest call or chat waiting"


def _response(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    backlog = figs["backlog_age_s"]
    return pct(fig.value), (
        f"1st resp in SLA / 1st resp, n={fig.n} · {backlog.n} open, oldest {clock(backlog.value)}"
    )


def _staffing(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    needed = figs["agents_needed"]
    if needed.value is None:
        return "–", "Erlang C · nothing offered in the last 30 min"
    return (
        f"{needed.value:.0f} needed, {fig.n} on",
        f"expected SL {pct(fig.value)} · Erlang C on the last 30 min",
    )


def _pulse(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    sick = figs.get("sick_leave_rate")
    value = "–" if fig.value is None else f"{fig.value:.1f}/5"
    return value, f"sick leave {pct(sick.value)}" if sick is not None else "staff wellbeing"


def _occupancy(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    return pct(fig.value), f"(busy+ACW) / (ready+busy+ACW) · {figs['agents_logged_in'].n} logged in"


def _spread(fmt: str) -> TileText:
    def text(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
        if fig.value is None:
            return "–", "too few agents with enough responses"
        middle = f"{fmt.format(fig.low)}–{fmt.format(fig.high)}"
        return fmt.format(fig.value), f"middle half of agents {middle} ({fig.n} agents)"

    return text


def _count(value: float) -> str:
    return f"{value:.0f}"


def _seconds(value: float) -> str:
    return clock(value)


PRODUCTION, QUALITY = Kind.PRODUCTION, Kind.QUALITY
TEAM_ONLY = frozenset({BoardLayout.TEAM})
SUPERVISOR_ONLY = frozenset({BoardLayout.SUPERVISOR})
TILES: tuple[TileSpec, ...] = (
    TileSpec("sl", "Service level", "SL", "service_level", PRODUCTION, _service_level, pct),
    TileSpec("csat", "CSAT", "CSAT", "csat_mean", QUALITY, _survey("{:.1f}"), "{:.1f}".format),
    # Agents needed now for the SL target, those on the floor and the SL to expect with them.
    TileSpec("staffing", "Staffing now", "Staffing", "expected_sl", PRODUCTION, _staffing, pct,
             SUPERVISOR_ONLY, target="service_level"),
    TileSpec("nps", "NPS", "NPS", "nps", QUALITY, _survey("{:+.0f}"), "{:+.0f}".format),
    TileSpec("abandon", "Abandoned", "Abandon", "abandon_rate", PRODUCTION, _abandoned, pct),
    TileSpec("fcr", "First-contact", "FCR", "fcr_rate", QUALITY, _survey("{:.0%}"), pct),
    TileSpec("aht", "Handle time", "AHT", "aht_s", PRODUCTION, _handle_time, _seconds),
    TileSpec("qa", "QA score", "QA", "qa_score", QUALITY, _qa, pct),
    TileSpec("longest", "Longest wait", "Longest", "longest_wait_s", PRODUCTION, _longest,
             _seconds),
    # Pulse is about teams, not a queue: a queue's targets never apply.
    TileSpec("pulse", "Team pulse", "Pulse", "employee_satisfaction", QUALITY, _pulse,
             "{:.1f}".format, per_queue=False),
    # Email and messaging: judged by their own first-response SLA, never by phone targets.
    TileSpec("response", "Email & messaging", "Email+msg", "response_sla_rate", PRODUCTION,
             _response, pct, SUPERVISOR_ONLY),
    # Left out below 120 columns, where 12 tiles fill the rows an 80×24 screen has for them.
    TileSpec("top2", "CSAT top-2 box", "Top-2", "csat_top2", QUALITY, _survey("{:.0%}"), pct,
             SUPERVISOR_ONLY, narrow=False),
    TileSpec("waiting", "Waiting", "Waiting", "waiting", PRODUCTION, _waiting, _count),
    TileSpec("ces", "Customer effort", "CES", "ces_mean", QUALITY, _survey("{:.1f}"),
             "{:.1f}".format, SUPERVISOR_ONLY, narrow=False),
    TileSpec("occupancy", "Occupancy", "Occupancy", "occupancy", PRODUCTION, _occupancy, pct,
             TEAM_ONLY),
    # The spread is a conversation starter for the team, not a target: never coloured.
    TileSpec("spread_csat_mean", "CSAT spread", "CSAT IQR", "spread_csat_mean", QUALITY,
             _spread("{:.1f}"), "{:.1f}".format, TEAM_ONLY, judged=False),
)  # fmt: skip


def tile_keys(layout: BoardLayout) -> tuple[str, ...]:
    """Keys of the tiles ``layout`` shows, in order."""
    return tuple(spec.key for spec in TILES if layout in spec.layouts)
