"""The additive state vector of one cell (site, queue, channel, team) in one time bucket.

A vector is a flat ``list[int]``: counts, sums in milliseconds (or milli-points) and fixed-bucket
histograms. Integers keep merging and un-merging exact, so the merge of two partitions or periods
equals the whole to the last unit. Ratios and means are derived only when read (``kpis.py``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

Vector = list[int]

# Scalar fields, in vector order. docs/kpis.md documents each.
SCALARS: Final[tuple[str, ...]] = (
    "offered",
    "answered",
    "answered_wait_ms",
    "abandoned",
    "abandoned_wait_ms",
    "answered_within_sl",
    "abandoned_within_sl",
    "short_abandoned",
    "callbacks",
    "transferred",
    "handled",
    "talk_ms",
    "hold_ms",
    "wrapups",
    "acw_ms",
    "first_responses",
    "first_response_ms",
    "first_response_business_ms",
    "first_responses_within_sla",
    "resolved",
    "resolve_ms",
    "surveys",
    "csat_n",
    "csat_sum",
    "csat_sq_sum",
    "csat_top2",
    "nps_n",
    "nps_promoters",
    "nps_detractors",
    "fcr_n",
    "fcr_yes",
    "ces_n",
    "ces_sum",
    "ces_sq_sum",
    "qa_n",
    "qa_score_milli",
    "qa_max_milli",
    "qa_items_passed",
    "qa_items_failed",
)

# Agent time per state in a team cell: ms spent in each state within the bucket.
AGENT_TIME_FIELDS: Final[tuple[str, ...]] = ("logged_in", "ready", "not_ready", "busy", "acw")
AGENT_TIME_INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(AGENT_TIME_FIELDS)}

# Per-agent quality sums, used only for the team-level spread between agents.
AGENT_QUALITY_FIELDS: Final[tuple[str, ...]] = (
    "csat_n",
    "csat_sum",
    "qa_n",
    "qa_score_milli",
    "qa_max_milli",
)
AGENT_QUALITY_INDEX: Final[dict[str, int]] = {
    name: i for i, name in enumerate(AGENT_QUALITY_FIELDS)
}


@dataclass(frozen=True)
class Layout:
    """Index map of a cell vector, fixed by the configured histogram bounds."""

    wait_bounds_ms: tuple[int, ...]
    handle_bounds_ms: tuple[int, ...]
    index: dict[str, int] = field(init=False)
    answered_wait_hist: int = field(init=False)
    abandoned_wait_hist: int = field(init=False)
    talk_hold_hist: int = field(init=False)
    acw_hist: int = field(init=False)
    size: int = field(init=False)

    def __post_init__(self) -> None:
        index = {name: i for i, name in enumerate(SCALARS)}
        pos = len(SCALARS)
        wait_len = len(self.wait_bounds_ms) + 1  # the last bucket is +Inf
        handle_len = len(self.handle_bounds_ms) + 1
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "answered_wait_hist", pos)
        object.__setattr__(self, "abandoned_wait_hist", pos + wait_len)
        object.__setattr__(self, "talk_hold_hist", pos + 2 * wait_len)
        object.__setattr__(self, "acw_hist", pos + 2 * wait_len + handle_len)
        object.__setattr__(self, "size", pos + 2 * wait_len + 2 * handle_len)

    def zero(self) -> Vector:
        return [0] * self.size

    def wait_slot(self, wait_ms: int) -> int:
        """Histogram slot: bucket i holds bounds[i-1] < wait ≤ bounds[i] (Prometheus ``le``)."""
        return bisect_left(self.wait_bounds_ms, wait_ms)

    def handle_slot(self, ms: int) -> int:
        return bisect_left(self.handle_bounds_ms, ms)

    def hist(self, vector: Sequence[int], start: int, bounds: tuple[int, ...]) -> list[int]:
        return list(vector[start : start + len(bounds) + 1])

    def answered_wait(self, vector: Sequence[int]) -> list[int]:
        return self.hist(vector, self.answered_wait_hist, self.wait_bounds_ms)

    def abandoned_wait(self, vector: Sequence[int]) -> list[int]:
        return self.hist(vector, self.abandoned_wait_hist, self.wait_bounds_ms)

    def talk_hold(self, vector: Sequence[int]) -> list[int]:
        return self.hist(vector, self.talk_hold_hist, self.handle_bounds_ms)

    def acw(self, vector: Sequence[int]) -> list[int]:
        return self.hist(vector, self.acw_hist, self.handle_bounds_ms)

    def within(self, counts: Sequence[int], bounds: tuple[int, ...], limit_ms: int) -> int:
        """How many observations are ≤ ``limit_ms``. Exact only when ``limit_ms`` is a bound."""
        slot = bisect_left(bounds, limit_ms)
        if slot >= len(bounds) or bounds[slot] != limit_ms:
            raise ValueError(f"{limit_ms} ms is not a histogram bound; add it to the bounds")
        return sum(counts[: slot + 1])

    def as_dict(self, vector: Sequence[int]) -> dict[str, int]:
        return {name: vector[i] for name, i in self.index.items()}


K = TypeVar("K")


def add_into(target: Vector, other: Sequence[int]) -> None:
    for i, value in enumerate(other):
        if value:
            target[i] += value


def add_at(sums: dict[K, Vector], key: K, vector: Sequence[int]) -> None:
    """Add ``vector`` into ``sums[key]``, starting from a copy when the key is new."""
    target = sums.get(key)
    if target is None:
        sums[key] = list(vector)
    else:
        add_into(target, vector)


def sub_into(target: Vector, other: Sequence[int]) -> None:
    for i, value in enumerate(other):
        if value:
            target[i] -= value


def summed(vectors: Iterable[Sequence[int]], size: int) -> Vector:
    total = [0] * size
    for vector in vectors:
        add_into(total, vector)
    return total


def is_zero(vector: Sequence[int]) -> bool:
    return not any(vector)
