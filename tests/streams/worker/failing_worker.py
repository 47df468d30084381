"""``floorboard worker`` whose runtime fails on the first fetch it is handed: a fault injected
into a real worker process, to see what its health and exit status do about it."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from floorboard.cli import main
from floorboard.streams.worker.partition import Record
from floorboard.streams.worker.runtime import WorkerRuntime


async def broken(_self: WorkerRuntime, _fetched: Mapping[int, Sequence[Record]]) -> None:
    raise TypeError("Recursion limit reached")


if __name__ == "__main__":
    WorkerRuntime.handle = broken  # type: ignore[method-assign,assignment]
    sys.exit(main())
