"""The intraday arrival profile: a morning ramp, a lunch peak and an afternoon tail."""

from __future__ import annotations

import itertools

# (local hour, share of the peak rate); linear in between.
_PROFILE: tuple[tuple[float, float], ...] = (
    (0.0, 0.02), (7.0, 0.05), (8.0, 0.45), (9.0, 0.85), (11.0, 0.9), (11.5, 1.0), (13.0, 1.0),
    (14.0, 0.8), (16.0, 0.6), (17.0, 0.35), (19.0, 0.1), (21.0, 0.04), (24.0, 0.02),
)  # fmt: skip
LUNCH = (11.0, 13.0)
PEAK_SHARE = max(share for _, share in _PROFILE)


def intraday(hour: float, lunch_surge: float = 1.0) -> float:
    """Share of the peak arrival rate at a local time of day (``lunch_surge`` scales 11-13)."""
    for (h0, v0), (h1, v1) in itertools.pairwise(_PROFILE):
        if h0 <= hour < h1:
            share = v0 + (v1 - v0) * (hour - h0) / (h1 - h0)
            return share * (lunch_surge if LUNCH[0] <= hour < LUNCH[1] else 1.0)
    return _PROFILE[-1][1]
