"""A progress bar on stderr for long simulate and replay runs, in a terminal only.

Piped or redirected output gets none: logs and CI stay free of control characters.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator

from floorboard.simulator.feed import Record


def with_progress(
    batches: Iterable[list[Record]], label: str, start_ms: int, total_ms: int | None
) -> Iterator[list[Record]]:
    """The batches unchanged; in a terminal, a bar of simulated time sent (of ``total_ms``)."""
    if not sys.stderr.isatty():
        yield from batches
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[at]} · {task.fields[sent]:,} records"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        total = None if total_ms is None else total_ms / 1000
        task = bar.add_task(label, total=total, at="", sent=0)
        sent = 0
        for batch in batches:
            yield batch
            if batch:
                sent += len(batch)
                last = batch[-1].send_ms
                at = dt.datetime.fromtimestamp(last / 1000, dt.UTC).strftime("%H:%M:%S UTC")
                bar.update(task, completed=(last - start_ms) / 1000, at=at, sent=sent)
