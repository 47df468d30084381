"""The report as text tables: local times, one section per site and window, quality beside
production, and the footnote only when a figure needs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from floorboard.engine.kpis import Figure
from floorboard.engine.views import figures_by_window, merge
from floorboard.engine.windows import WINDOWS, window_span
from floorboard.report.build import Report
from floorboard.report.document import counters, local, utc_offset

# Figures printed per row, production first and quality beside it, as on the wallboard.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("offered", "Offered"),
    ("answered", "Ans"),
    ("service_level", "SL"),
    ("abandon_rate", "Abn%"),
    ("asa_s", "ASA"),
    ("aht_s", "AHT"),
    ("occupancy", "Occ"),
    ("response_sla_rate", "Resp%"),
    ("resolve_time_s", "Resolve"),
    ("csat_mean", "CSAT"),
    ("nps", "NPS"),
    ("fcr_rate", "FCR"),
    ("qa_score", "QA"),
)
PERCENT = {
    "service_level", "abandon_rate", "occupancy", "response_sla_rate", "fcr_rate", "qa_score",
}  # fmt: skip
LABEL_WIDTH = 36
UNATTRIBUTED = "not linked to a contact"
LOW_SAMPLE_NOTE = "* fewer survey responses than engine.min_responses (low sample)"
SCOPE_NOTE = "team SL, offered and abandoned are those of the queues the team answered"


def cell(name: str, fig: Figure | None) -> str:
    if fig is None or fig.value is None:
        return "–"
    if name in PERCENT:
        text = f"{100 * fig.value:.1f}%"
    elif isinstance(fig.value, int):
        text = str(fig.value)
    else:
        text = f"{fig.value:.1f}"
    return text + ("*" if fig.low_sample else "")


def queue_label(key: str) -> str:
    site, queue, channel = key.split("/")
    return f"queue {site}/{queue}/{channel}" if queue else f"surveys {UNATTRIBUTED}"


# Counter names as words where the bare name would puzzle a reader.
WORDS = {"after_at": "later than --at (left out)"}


def _counts(values: dict[str, int]) -> str:
    shown = [f"{count} {WORDS.get(name, name)}" for name, count in values.items() if count]
    return ", ".join(shown) or "none"


def header(report: Report, source: str) -> list[str]:
    config = report.engine.config
    lines = [f"Floorboard report of {source}"]
    for site, settings in sorted(config.sites.items()):
        at = local(report.at, settings.zone).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"  {site}: at {at} (UTC{utc_offset(report.at, settings.zone)}, "
                     f"{settings.timezone})")  # fmt: skip
    all_counters = counters(report)
    rejected = {k.removeprefix("rejected:"): v for k, v in all_counters.items()
                if k.startswith("rejected:")}  # fmt: skip
    events = {k: v for k, v in all_counters.items() if not k.startswith("rejected:")}
    lines.append(f"  events: {_counts(events)}")
    lines.append(f"  lines rejected before the engine: {_counts(rejected)}")
    return lines


def _rows(per_site: dict[str, Any], site: str) -> list[tuple[str, dict[str, Figure]]]:
    rows = [(queue_label(key), figs) for key, figs in per_site["queues"].items()
            if key.split("/")[0] == site]  # fmt: skip
    rows += [(f"team {key}", figs) for key, figs in per_site["teams"].items()
             if key.split("/")[0] == site]  # fmt: skip
    rows.append((f"site {site}", per_site["sites"][site]))
    return rows


def render(report: Report, source: str, emit: Callable[[str], None] = print) -> None:
    config, layout = report.engine.config, report.engine.layout
    views = merge(report.records)
    per_window = figures_by_window(views, config, layout)
    for line in header(report, source):
        emit(line)
    head = f"{'':{LABEL_WIDTH}}" + "".join(f"{label:>9}" for _, label in COLUMNS)
    low_sample = False
    for site in views.sites:  # only configured sites reach the engine
        zone = config.sites[site].zone
        for window in WINDOWS:
            span = window_span(window, report.at, zone)
            start, end = local(span.start, zone), local(span.end, zone)
            until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
            emit(f"\n== {site} · {window} · {start:%Y-%m-%d %H:%M} → {until} "
                 f"(UTC{utc_offset(span.start, zone)}) ==\n{head}")  # fmt: skip
            for label, figs in _rows(per_window[window], site):
                cells = [cell(name, figs.get(name)) for name, _ in COLUMNS]
                low_sample |= any(c.endswith("*") for c in cells)
                emit(f"{label[:LABEL_WIDTH]:{LABEL_WIDTH}}" + "".join(f"{c:>9}" for c in cells))
    notes = [SCOPE_NOTE] if views.teams else []
    if low_sample:
        notes.append(LOW_SAMPLE_NOTE)
    if notes:
        emit("")
        for note in notes:
            emit(note)
