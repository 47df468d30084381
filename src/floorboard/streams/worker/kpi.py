"""The ``/kpi`` document: merged figures per window for queues, teams and sites."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from floorboard.config import Config
from floorboard.engine.layout import Layout
from floorboard.engine.snapshot import Snapshot
from floorboard.engine.views import Views, figures_by_window, merge


def kpi_document(
    records: Iterable[Snapshot], config: Config, layout: Layout, at: int
) -> dict[str, Any]:
    views: Views = merge(records)
    windows = figures_by_window(views, config, layout)
    live = {
        "/".join(key): {
            "waiting": q.waiting,
            "oldest_wait_ts": q.oldest_wait_ts,
            "backlog": q.backlog,
            "oldest_open_ts": q.oldest_open_ts,
        }
        for key, q in sorted(views.queues.items())
    }
    return {
        "at": at,
        "watermarks": views.watermarks,
        "counters": views.counters,
        "live": live,
        "figures": windows,
    }
