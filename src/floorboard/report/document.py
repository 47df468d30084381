"""The report as a JSON document: versioned, described by ``report.schema.json`` beside this
module and by docs/report.md.

Times are RFC 3339 in the site's zone, every window states its local start and end, counts are
integers, and the counters carry the names of the status records (``SourceStatus.counters``).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from floorboard.config import Config
from floorboard.engine.views import figures_by_window, merge
from floorboard.engine.windows import WINDOWS, window_span
from floorboard.report.build import Report

SCHEMA_VERSION = 1
SCHEMA_FILE = "report.schema.json"
UTC = ZoneInfo("UTC")


def schema() -> dict[str, Any]:
    """The JSON Schema of the document, as packaged."""
    text = files("floorboard.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def local(ts_ms: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts_ms / 1000, tz=zone)


def rfc3339(ts_ms: int, zone: ZoneInfo) -> str:
    """``2026-10-25T02:15:00+01:00``; milliseconds only when there are any."""
    return local(ts_ms, zone).isoformat(timespec="milliseconds" if ts_ms % 1000 else "seconds")


def utc_offset(ts_ms: int, zone: ZoneInfo) -> str:
    """The zone's offset from UTC at that instant, as ``+01:00``."""
    offset = local(ts_ms, zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def report_zone(config: Config) -> ZoneInfo:
    """The zone of the document's ``at``: the sites' zone when they share one, else UTC."""
    zones = {site.timezone for site in config.sites.values()}
    return ZoneInfo(zones.pop()) if len(zones) == 1 else UTC


def window_bounds(at: int, zone: ZoneInfo) -> dict[str, dict[str, str]]:
    """Each window's local start (inclusive) and end (exclusive) and the UTC offset at its start.

    On a fall-back night the offset tells the two 02:15 intervals apart.
    """
    out = {}
    for window in WINDOWS:
        span = window_span(window, at, zone)
        out[str(window)] = {
            "start": rfc3339(span.start, zone),
            "end": rfc3339(span.end, zone),
            "utc_offset": utc_offset(span.start, zone),
        }
    return out


def counters(report: Report) -> dict[str, int]:
    """What happened to every event and line, by the status records' names, plus ``after_at``
    (events left out because they are later than ``at``)."""
    out = dict(report.engine.counters)
    out["after_at"] = report.outcomes.get("after_at", 0)
    return {name: int(count) for name, count in sorted(out.items())}


def document(report: Report, source: str) -> dict[str, Any]:
    """The whole document; ``source`` names the events file."""
    config, layout = report.engine.config, report.engine.layout
    views = merge(report.records)
    return {
        "schema_version": SCHEMA_VERSION,
        "source": source,
        "at": rfc3339(report.at, report_zone(config)),
        "sites": {
            site: {
                "timezone": settings.timezone,
                "at": rfc3339(report.at, settings.zone),
                "utc_offset": utc_offset(report.at, settings.zone),
                "windows": window_bounds(report.at, settings.zone),
            }
            for site, settings in sorted(config.sites.items())
        },
        "counters": counters(report),
        "rejections": [
            {"line": bad.line, "reason": bad.reason, "message": bad.message}
            for bad in report.bad_lines
        ],
        "figures": figures_by_window(views, config, layout),
        "records": report.records,
    }
