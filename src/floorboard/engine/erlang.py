"""Erlang C: queueing forecasts for a voice queue (M/M/N, customers never abandon).

Used by the staffing forecast (``forecast.py``) and the simulator's realism tests. The
probability of waiting is computed from the Erlang B recursion, which stays stable for hundreds
of agents where the textbook factorial formula overflows.
"""

from __future__ import annotations

import math


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability for ``load`` Erlangs offered to ``agents`` servers."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must not be negative")
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability that an arriving contact has to wait (1 when the queue is unstable)."""
    if agents <= load:
        return 1.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1 - b))


def _load(rate_per_s: float, aht_s: float) -> float:
    """Offered traffic in Erlangs."""
    if rate_per_s < 0 or aht_s <= 0:
        raise ValueError("rate must not be negative and handle time must be positive")
    return rate_per_s * aht_s


def service_level(rate_per_s: float, aht_s: float, agents: int, threshold_s: float) -> float:
    """Share of contacts answered within ``threshold_s``: 1 − C·e^(−(N−A)·T/AHT)."""
    load = _load(rate_per_s, aht_s)
    if agents <= load:
        return 0.0
    wait_probability = erlang_c(agents, load)
    return 1.0 - wait_probability * math.exp(-(agents - load) * threshold_s / aht_s)


def asa(rate_per_s: float, aht_s: float, agents: int) -> float:
    """Average speed of answer in seconds: C·AHT ÷ (N − A)."""
    load = _load(rate_per_s, aht_s)
    if agents <= load:
        return math.inf
    return erlang_c(agents, load) * aht_s / (agents - load)


def agents_for_service_level(
    rate_per_s: float, aht_s: float, threshold_s: float, target: float, max_agents: int = 10_000
) -> int:
    """The fewest agents that reach ``target`` service level."""
    if not 0 <= target < 1:
        raise ValueError("target must be a share below 1")
    agents = max(1, math.floor(_load(rate_per_s, aht_s)) + 1)
    while agents <= max_agents:
        if service_level(rate_per_s, aht_s, agents, threshold_s) >= target:
            return agents
        agents += 1
    raise ValueError(f"target not reachable with {max_agents} agents")
