"""A fixed-bucket histogram cheap enough for the hot path; the metrics collector reads it."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

# Seconds to apply one batch (500 records at most by default).
BATCH_BOUNDS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# Event time to applied: under a second live; minutes when catching up; hours in a replay.
DELAY_BOUNDS_S = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


class Histogram:
    """Counts per bucket (``le`` inclusive, the last one +Inf) and the sum of observed values."""

    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value

    def observe_ages(self, now_s: float, times_ms: list[int]) -> None:
        """Observe ``now_s`` − t, in seconds, for each epoch-ms time t in ``times_ms`` (sorted
        in place): a bisection per bucket instead of one per value."""
        if not times_ms:
            return
        times_ms.sort()
        count, below = len(times_ms), 0
        for i, bound in enumerate(self.bounds):
            # now_s - t / 1000 <= bound  <=>  t >= (now_s - bound) * 1000
            within = count - bisect_left(times_ms, (now_s - bound) * 1000)
            self.counts[i] += within - below
            below = within
        self.counts[-1] += count - below
        self.sum += count * now_s - sum(times_ms) / 1000

    def cumulative(self) -> list[tuple[str, float]]:
        """(le, count at or below it) for every bound and +Inf, as Prometheus exposes buckets."""
        out, running = [], 0
        for bound, count in zip((*map(str, self.bounds), "+Inf"), self.counts, strict=True):
            running += count
            out.append((bound, float(running)))
        return out
