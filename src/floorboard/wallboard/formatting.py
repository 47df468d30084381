"""How figures read on the wallboard: percentages, clock times, survey n and intervals, statuses."""

from __future__ import annotations

from floorboard.engine.kpis import Figure, Status

SYMBOL = {
    Status.GOOD: "✓ OK",
    Status.WARN: "! WARN",
    Status.ALERT: "✗ ALERT",
    Status.UNKNOWN: "· —",
}


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


def survey_cell(fig: Figure, fmt: str) -> str:
    """A survey figure in a table cell: the value and its n."""
    return "–" if fig.value is None else f"{fmt.format(fig.value)} n{fig.n}"
