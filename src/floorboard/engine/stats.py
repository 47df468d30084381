"""Small statistics for figures derived at read time: intervals, histogram quantiles, spread."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

Z95 = 1.959963984540054
# Beyond this many degrees of freedom t_0.975 is within 0.1 % of z: the normal quantile is used.
T_MAX_DF = 1000


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion; None without observations."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def t_within(t: float, df: int) -> float:
    """P(|T| ≤ t) for Student's t with integer ``df``, in closed form (Abramowitz & Stegun
    26.7.3–4): sums of powers of cos θ, θ = atan(t/√df)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2:  # odd: (2/π)(θ + sin θ cos θ (1 + 2/3 cos² θ + 2·4/(3·5) cos⁴ θ + …))
        term, total = 1.0, 1.0 if df > 1 else 0.0
        for k in range(1, (df - 1) // 2):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)
    term, total = 1.0, 1.0  # even: sin θ (1 + 1/2 cos² θ + 1·3/(2·4) cos⁴ θ + …)
    for k in range(1, df // 2):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return math.sin(theta) * total


@lru_cache(maxsize=1024)
def t95(df: int) -> float:
    """Two-sided 95 % quantile of Student's t (t_0.975), computed by bisection on ``t_within``;
    the normal ``Z95`` beyond ``T_MAX_DF`` degrees of freedom."""
    if df > T_MAX_DF:
        return Z95
    lo, hi = Z95, 13.0  # t_0.975 falls from 12.706 (df 1) towards z
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if t_within(mid, df) < 0.95 else (lo, mid)
    return (lo + hi) / 2


def mean_interval(total: int, sq_total: int, n: int) -> tuple[float, float] | None:
    """95 % interval of a mean from its sum and sum of squares: mean ± t·s/√n with n − 1
    degrees of freedom (z beyond ``T_MAX_DF``)."""
    if n < 2:
        return None
    mean = total / n
    variance = max(0.0, (sq_total - n * mean * mean) / (n - 1))
    half = t95(n - 1) * math.sqrt(variance / n)
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
