"""Small statistics for figures derived at read time: intervals, histogram quantiles, spread."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion; None without observations."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(total: int, sq_total: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Normal-approximation interval of a mean from its sum and sum of squares."""
    if n < 2:
        return None
    mean = total / n
    variance = max(0.0, (sq_total - n * mean * mean) / (n - 1))
    half = z * math.sqrt(variance / n)
    return mean - half, mean + half


def nps_interval(
    promoters: int, detractors: int, n: int, z: float = Z95
) -> tuple[float, float] | None:
    """NPS ± z·SE, with SE = 100·sqrt((p + d − (p − d)²) / n)."""
    if n <= 0:
        return None
    p, d = promoters / n, detractors / n
    score = 100 * (p - d)
    se = 100 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)
    return max(-100.0, score - z * se), min(100.0, score + z * se)


def histogram_quantile(q: float, counts: Sequence[int], bounds: Sequence[int]) -> float | None:
    """Quantile by linear interpolation inside the bucket, as PromQL's histogram_quantile does.

    ``counts[i]`` holds observations in (bounds[i-1], bounds[i]]; the last slot is +Inf, for which
    the highest finite bound is returned. Precision is the width of the bucket hit.
    """
    total = sum(counts)
    if total == 0:
        return None
    rank = q * total
    cumulative = 0
    for i, count in enumerate(counts):
        if count and cumulative + count >= rank:
            if i >= len(bounds):
                return float(bounds[-1])
            lower = bounds[i - 1] if i > 0 else 0
            return lower + (bounds[i] - lower) * (rank - cumulative) / count
        cumulative += count
    return float(bounds[-1])


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """Q1, median, Q3 by linear interpolation between order statistics."""
    ordered = sorted(values)

    def at(p: float) -> float:
        pos = p * (len(ordered) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(ordered) - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)

    return at(0.25), at(0.5), at(0.75)
