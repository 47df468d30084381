"""Progress bars on stderr for long simulate, replay and benchmark runs, in a terminal only.

Piped or redirected output gets none: logs and CI stay free of control characters.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from floorboard.simulator.feed import Record


class Bar(Protocol):
    def update(self, completed: float, **fields: Any) -> None: ...
    def print(self, text: str) -> None: ...


class _Plain:
    """Outside a terminal: no bar, lines to stdout as they come."""

    def update(self, completed: float, **fields: Any) -> None:
        pass

    def print(self, text: str) -> None:
        print(text, flush=True)


@contextmanager
def terminal_bar(label: str, total: float | None, detail: str, **fields: Any) -> Iterator[Bar]:
    """A bar labelled ``label`` up to ``total``; ``detail`` is a rich text template of the bar's
    ``fields`` (``{task.fields[name]}``), given their first values here and new ones on update.
    ``print`` writes a line of output to stdout, above the bar when both share the terminal."""
    if not sys.stderr.isatty():
        yield _Plain()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(detail),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    # two refreshes a second: a benchmark's bar must not take CPU from what it measures
    # stdout is left alone: it may be a file of records or figures while the bar is on the tty
    with Progress(
        *columns,
        console=Console(stderr=True),
        transient=True,
        refresh_per_second=2,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as progress:
        task = progress.add_task(label, total=total, **fields)

        class _Live:
            def update(self, completed: float, **new: Any) -> None:
                progress.update(task, completed=completed, **new)

            def print(self, text: str) -> None:
                if sys.stdout.isatty():  # the bar's terminal: above the bar
                    progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
                else:
                    print(text, flush=True)

        yield _Live()


def with_progress(
    batches: Iterable[list[Record]], label: str, start_ms: int, total_ms: int | None
) -> Iterator[list[Record]]:
    """The batches unchanged; in a terminal, a bar of simulated time sent (of ``total_ms``)."""
    total = None if total_ms is None else total_ms / 1000
    detail = "{task.fields[at]} · {task.fields[sent]:,} records"
    with terminal_bar(label, total, detail, at="", sent=0) as bar:
        sent = 0
        for batch in batches:
            yield batch
            if batch:
                sent += len(batch)
                last = batch[-1].send_ms
                at = dt.datetime.fromtimestamp(last / 1000, dt.UTC).strftime("%H:%M:%S UTC")
                bar.update((last - start_ms) / 1000, at=at, sent=sent)
