"""The discrete-event core: a heap of timed actions run in time order, collecting the events
they emit. Everything else in the simulation is an action scheduled here."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator

from floorboard.events.model import Event

Action = Callable[[int], None]


class Simulation:
    """One clock, one random stream, one id sequence: the same seed replays the same run."""

    __slots__ = ("_heap", "_ids", "_out", "_prefix", "_seq", "now", "rng")

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.now = 0
        self._heap: list[tuple[int, int, Action]] = []
        # The sequence number breaks ties between actions due at the same instant: first come,
        # first run, and the heap never has to compare two actions.
        self._seq = itertools.count()
        self._ids = itertools.count()
        self._prefix = f"s{seed}-"
        self._out: list[Event] = []

    def at(self, when: int, action: Action) -> None:
        """Run ``action(when)`` at simulated epoch-ms ``when``."""
        heapq.heappush(self._heap, (when, next(self._seq), action))

    def new_id(self) -> str:
        return f"{self._prefix}{next(self._ids)}"

    def emit(self, event: Event) -> None:
        self._out.append(event)

    def run(self, until_ms: int) -> Iterator[Event]:
        """Run every action due up to ``until_ms``; yield their events in time order."""
        heap, out, pop = self._heap, self._out, heapq.heappop
        while heap and heap[0][0] <= until_ms:
            when, _, action = pop(heap)
            self.now = when
            action(when)
            if out:
                yield from out
                out.clear()
