"""KPI formulas: ratios, means, percentiles and intervals derived from additive vectors on read.

Every formula here is documented in docs/kpis.md. Inputs are summed vectors (one cell, a queue,
a team or a whole site); nothing here averages averages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

import msgspec

from floorboard.config import SL_VARIANT_LABELS, Direction, EngineSettings, SlVariant, Target
from floorboard.engine import stats
from floorboard.engine.layout import AGENT_QUALITY_INDEX, AGENT_TIME_FIELDS, Layout


class Figure(msgspec.Struct, frozen=True):
    """One derived figure. ``value`` is None when undefined (no denominator), an int for counts.

    ``variant`` names the formula (the SL variant); ``scope`` says whose contacts a figure covers
    when they are not the row's own (a team's service level: the queues it answered).
    """

    value: float | None
    n: int = 0
    low: float | None = None
    high: float | None = None
    low_sample: bool = False
    variant: str | None = None
    scope: str | None = None


def count(value: int) -> Figure:
    """A count: an integer value, n the same."""
    return Figure(value, n=value)


class Spread(msgspec.Struct, frozen=True):
    """Distribution of per-agent means within a team, without saying who is where."""

    agents: int
    q1: float
    median: float
    q3: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1


def _ratio(num: int, den: int) -> float | None:
    return num / den if den > 0 else None


def service_level(v: Sequence[int], ix: Mapping[str, int], variant: SlVariant) -> Figure:
    within = v[ix["answered_within_sl"]]
    answered, abandoned = v[ix["answered"]], v[ix["abandoned"]]
    if variant is SlVariant.ANSWERED_OF_OFFERED:
        num, den = within, v[ix["offered"]]
    elif variant is SlVariant.ANSWERED_OF_ANSWERED_ABANDONED:
        num, den = within, answered + abandoned
    elif variant is SlVariant.ANSWERED_OF_ANSWERED_LONG_ABANDONED:
        num, den = within, answered + abandoned - v[ix["short_abandoned"]]
    elif variant is SlVariant.ANSWERED_OR_ABANDONED_OF_OFFERED:
        num, den = within + v[ix["abandoned_within_sl"]], v[ix["offered"]]
    else:
        num, den = within, answered
    # Offered and answered fall in the buckets of their own event times, so near a window's
    # edge the numerator can exceed an offered-based denominator; the figure is capped at 1.
    value = _ratio(num, den)
    return Figure(
        None if value is None else min(1.0, value), n=den, variant=SL_VARIANT_LABELS[variant]
    )


def production(
    v: Sequence[int], layout: Layout, variant: SlVariant, threshold_s: int | None
) -> dict[str, Figure]:
    ix = layout.index
    offered, answered, abandoned = v[ix["offered"]], v[ix["answered"]], v[ix["abandoned"]]
    short = v[ix["short_abandoned"]]
    handled, wrapups = v[ix["handled"]], v[ix["wrapups"]]
    sl = service_level(v, ix, variant)
    if sl.variant is not None:
        # Totals across queues apply each queue's own T when counting "answered within T".
        label = f"{threshold_s}s" if threshold_s is not None else "T(queue)"
        sl = msgspec.structs.replace(sl, variant=sl.variant.replace("T", label))
    waits = layout.answered_wait(v)
    talk_hold = _ratio(v[ix["talk_ms"]] + v[ix["hold_ms"]], handled)
    acw = _ratio(v[ix["acw_ms"]], wrapups)
    out = {
        "offered": count(offered),
        "answered": count(answered),
        "abandoned": count(abandoned),
        "short_abandoned": count(short),
        "callbacks": count(v[ix["callbacks"]]),
        "service_level": sl,
        "abandon_rate": Figure(_ratio(abandoned, offered), n=offered),
        "abandon_rate_excl_short": Figure(
            _ratio(abandoned - short, offered - short), n=offered - short
        ),
        "asa_s": Figure(_seconds(_ratio(v[ix["answered_wait_ms"]], answered)), n=answered),
        "avg_abandon_s": Figure(
            _seconds(_ratio(v[ix["abandoned_wait_ms"]], abandoned)), n=abandoned
        ),
        "transfer_rate": Figure(_ratio(v[ix["transferred"]], answered), n=answered),
        "aht_s": Figure(
            None if talk_hold is None else (talk_hold + (acw or 0.0)) / 1000, n=handled
        ),
        "avg_acw_s": Figure(_seconds(acw), n=wrapups),
    }
    for q in (50, 80, 95):
        ms = stats.histogram_quantile(q / 100, waits, layout.wait_bounds_ms)
        out[f"wait_p{q}_s"] = Figure(_seconds(ms), n=sum(waits))
    responses = v[ix["first_responses"]]
    out["first_response_s"] = Figure(
        _seconds(_ratio(v[ix["first_response_ms"]], responses)), n=responses
    )
    out["first_response_business_s"] = Figure(
        _seconds(_ratio(v[ix["first_response_business_ms"]], responses)), n=responses
    )
    out["response_sla_rate"] = Figure(
        _ratio(v[ix["first_responses_within_sla"]], responses), n=responses
    )
    out["resolved"] = count(v[ix["resolved"]])
    out["resolve_time_s"] = resolve_time(v, ix)
    return out


def resolve_time(v: Sequence[int], ix: Mapping[str, int]) -> Figure:
    """Mean time from receipt to resolution: Σ(ts − received_ts) ÷ resolved, n resolved."""
    resolved = v[ix["resolved"]]
    return Figure(_seconds(_ratio(v[ix["resolve_ms"]], resolved)), n=resolved)


def quality(v: Sequence[int], layout: Layout, settings: EngineSettings) -> dict[str, Figure]:
    ix = layout.index
    min_n = settings.min_responses
    csat_n, nps_n, fcr_n, ces_n, qa_n = (
        v[ix["csat_n"]], v[ix["nps_n"]], v[ix["fcr_n"]], v[ix["ces_n"]], v[ix["qa_n"]],
    )  # fmt: skip
    promoters, detractors = v[ix["nps_promoters"]], v[ix["nps_detractors"]]
    csat_ci = stats.mean_interval(v[ix["csat_sum"]], v[ix["csat_sq_sum"]], csat_n)
    top2_ci = stats.wilson(v[ix["csat_top2"]], csat_n)
    nps_ci = stats.nps_interval(promoters, detractors, nps_n)
    fcr_ci = stats.wilson(v[ix["fcr_yes"]], fcr_n)
    ces_ci = stats.mean_interval(v[ix["ces_sum"]], v[ix["ces_sq_sum"]], ces_n)
    nps = _ratio(100 * (promoters - detractors), nps_n)
    return {
        "csat_mean": _survey(_ratio(v[ix["csat_sum"]], csat_n), csat_n, csat_ci, min_n),
        "csat_top2": _survey(_ratio(v[ix["csat_top2"]], csat_n), csat_n, top2_ci, min_n),
        "nps": _survey(nps, nps_n, nps_ci, min_n),
        "fcr_rate": _survey(_ratio(v[ix["fcr_yes"]], fcr_n), fcr_n, fcr_ci, min_n),
        "ces_mean": _survey(_ratio(v[ix["ces_sum"]], ces_n), ces_n, ces_ci, min_n),
        "qa_score": _survey(
            _ratio(v[ix["qa_score_milli"]], v[ix["qa_max_milli"]]), qa_n, None, min_n
        ),
        "survey_responses": count(v[ix["surveys"]]),
        "responses_per_handled": Figure(
            _ratio(v[ix["surveys"]], v[ix["handled"]]), n=v[ix["handled"]]
        ),
    }


def occupancy(agent_time: Sequence[int]) -> Figure:
    """(busy + ACW) ÷ (ready + busy + ACW) of agent time in the window; not-ready time counts in
    neither. n is the available (ready + busy + ACW) time in whole seconds."""
    t = dict(zip(AGENT_TIME_FIELDS, agent_time, strict=True))
    working = t["busy"] + t["acw"]
    return Figure(_ratio(working, working + t["ready"]), n=(working + t["ready"]) // 1000)


def spread(
    agent_quality: Mapping[str, Sequence[int]], settings: EngineSettings
) -> dict[str, Spread | None]:
    """Quartiles of per-agent CSAT means and QA scores among agents with enough responses.

    Returned only when at least ``spread_min_agents`` agents qualify, so nobody's figure can be
    read off a team of one or two.
    """
    f = AGENT_QUALITY_INDEX
    csat = [
        q[f["csat_sum"]] / q[f["csat_n"]]
        for q in agent_quality.values()
        if q[f["csat_n"]] >= settings.spread_min_responses
    ]
    qa = [
        q[f["qa_score_milli"]] / q[f["qa_max_milli"]]
        for q in agent_quality.values()
        if q[f["qa_n"]] >= settings.spread_min_responses and q[f["qa_max_milli"]] > 0
    ]
    return {
        "csat_mean": _spread(csat, settings.spread_min_agents),
        "qa_score": _spread(qa, settings.spread_min_agents),
    }


class Status(StrEnum):
    GOOD = "good"
    WARN = "warn"
    ALERT = "alert"
    UNKNOWN = "unknown"


def classify(value: float | None, target: Target | None) -> Status:
    """Status against a target: at or better than ``warn`` is good; at/past ``alert`` is alert."""
    if value is None or target is None:
        return Status.UNKNOWN
    sign = 1 if target.good is Direction.HIGHER else -1
    if sign * value >= sign * target.warn:
        return Status.GOOD
    if sign * value <= sign * target.alert:
        return Status.ALERT
    return Status.WARN


def breach(value: float | None, target: Target | None) -> float:
    """How far a value is past its target (``warn``), in widths of the amber band between
    ``warn`` and ``alert``: 0 when met, 1 at the red line, 2 as far again. Comparable across
    figures of different units, so an alert banner can rank them."""
    if value is None or target is None:
        return 0.0
    sign = 1 if target.good is Direction.HIGHER else -1
    band = abs(target.warn - target.alert) or 1.0
    return max(0.0, sign * (target.warn - value)) / band


def _spread(values: list[float], min_agents: int) -> Spread | None:
    if len(values) < min_agents:
        return None
    q1, median, q3 = stats.quartiles(values)
    return Spread(len(values), q1, median, q3)


def _survey(
    value: float | None, n: int, interval: tuple[float, float] | None, min_n: int
) -> Figure:
    low, high = interval if interval is not None else (None, None)
    return Figure(value, n=n, low=low, high=high, low_sample=n < min_n)


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000
