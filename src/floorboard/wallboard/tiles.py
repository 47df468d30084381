"""The wallboard's tiles as a table: which figure each shows, how it reads, on which layouts.

Production and quality tiles alternate in ``TILES``, so every row of tiles holds both kinds at
2, 4, 5 or 10 columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from floorboard.config import Target
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
    value: str
    detail: str
    status: Status
    kind: Kind
    low_sample: bool = False


@dataclass(frozen=True)
class TileSpec:
    key: str  # widget id and hysteresis key
    label: str
    figure: str  # a name from the views' figures; also the name of its target
    kind: Kind
    text: TileText
    layouts: frozenset[BoardLayout] = BOTH
    per_queue: bool = True  # a filtered queue's own target applies
    judged: bool = True  # coloured against its target


def _survey(fmt: str) -> TileText:
    return lambda fig, _figs, _target: survey_text(fig, fmt)


def _service_level(fig: Figure, _figs: Figures, target: Target | None) -> tuple[str, str]:
    # A team's SL is that of the queues it answered: the scope says which, before the formula.
    scope = f"{fig.scope} · " if fig.scope else ""
    goal = pct(target.warn) if target else "–"
    return pct(fig.value), f"{scope}{fig.variant or ''} · target {goal}"


def _waiting(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
    return str(fig.n), "calls and chats in queue now"


def _abandoned(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    return pct(fig.value), f"{figs['abandoned'].n} of {figs['offered'].n}"


def _handle_time(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    resolve = figs["resolve_time_s"]
    # Email and messaging resolve times are hours long: shown only where items were resolved.
    after = f" · resolve {clock(resolve.value)} n={resolve.n}" if resolve.n else ""
    return clock(fig.value), f"ASA {clock(figs['asa_s'].value)}{after}"


def _qa(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
    note = " · too few to judge" if fig.low_sample and fig.n else ""
    return pct(fig.value), f"n={fig.n}{note}"


def _longest(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
    return clock(fig.value), "oldest contact waiting"


def _pulse(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    sick = figs.get("sick_leave_rate")
    value = "–" if fig.value is None else f"{fig.value:.1f}/5"
    return value, f"sick leave {pct(sick.value)}" if sick is not None else "staff wellbeing"


def _occupancy(fig: Figure, figs: Figures, _target: Target | None) -> tuple[str, str]:
    return pct(fig.value), f"{figs['agents_logged_in'].n} agents logged in"


def _spread(fmt: str) -> TileText:
    def text(fig: Figure, _figs: Figures, _target: Target | None) -> tuple[str, str]:
        if fig.value is None:
            return "–", "too few agents with enough responses"
        middle = f"{fmt.format(fig.low)}–{fmt.format(fig.high)}"
        return fmt.format(fig.value), f"middle half of agents {middle} ({fig.n} agents)"

    return text


PRODUCTION, QUALITY = Kind.PRODUCTION, Kind.QUALITY
TEAM_ONLY = frozenset({BoardLayout.TEAM})
TILES: tuple[TileSpec, ...] = (
    TileSpec("sl", "Service level", "service_level", PRODUCTION, _service_level),
    TileSpec("csat", "CSAT", "csat_mean", QUALITY, _survey("{:.1f}")),
    TileSpec("waiting", "Waiting", "waiting", PRODUCTION, _waiting),
    TileSpec("nps", "NPS", "nps", QUALITY, _survey("{:+.0f}")),
    TileSpec("abandon", "Abandoned", "abandon_rate", PRODUCTION, _abandoned),
    TileSpec("fcr", "First-contact res.", "fcr_rate", QUALITY, _survey("{:.0%}")),
    TileSpec("aht", "Handle time", "aht_s", PRODUCTION, _handle_time),
    TileSpec("qa", "QA score", "qa_score", QUALITY, _qa),
    TileSpec("longest", "Longest wait", "longest_wait_s", PRODUCTION, _longest),
    # Pulse is about teams, not a queue: a queue's targets never apply.
    TileSpec("pulse", "Team pulse", "employee_satisfaction", QUALITY, _pulse, per_queue=False),
    TileSpec("occupancy", "Occupancy", "occupancy", PRODUCTION, _occupancy, TEAM_ONLY),
    # The spread is a conversation starter for the team, not a target: never coloured.
    TileSpec("spread_csat_mean", "CSAT spread", "spread_csat_mean", QUALITY, _spread("{:.1f}"),
             TEAM_ONLY, judged=False),
)  # fmt: skip


def tile_keys(layout: BoardLayout) -> tuple[str, ...]:
    """Keys of the tiles ``layout`` shows, in order."""
    return tuple(spec.key for spec in TILES if layout in spec.layouts)
