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


def survey_value(fig: Figure, fmt: str) -> str:
    """A survey figure in a compact table cell: the value alone."""
    return "–" if fig.value is None else fmt.format(fig.value)


def duration(seconds: int) -> str:
    """A promise in words: "45min", "1h", "24h", "90s"."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}min"
    return f"{seconds}s"


def fit_lines(entries: list[str], width: int, lines: int, more: str = "+{} more") -> list[str]:
    """Whole entries, in order, two spaces apart, on at most ``lines`` lines of ``width``; when
    some do not fit, the last line ends with ``more`` (its ``{}`` the number left out). An entry
    is never split across lines: one longer than a line is cut with "…"."""
    rows: list[list[str]] = [[]]
    for entry in (e if len(e) <= width else e[: width - 1] + "…" for e in entries):
        if rows[-1] and len(_joined([*rows[-1], entry])) > width:
            rows.append([])
        rows[-1].append(entry)
    if len(rows) <= lines:
        return [_joined(row) for row in rows if row]
    shown, last = rows[: lines - 1], rows[lines - 1]
    left = len(entries) - sum(len(row) for row in shown) - len(last)
    # Give up entries at the end of the last line until "+N more" fits beside the rest.
    while last and len(_joined([*last, more.format(left)])) > width:
        last.pop()
        left += 1
    return [*(_joined(row) for row in shown), _joined([*last, more.format(left)])]


def _joined(entries: list[str]) -> str:
    return "  ".join(entries)
