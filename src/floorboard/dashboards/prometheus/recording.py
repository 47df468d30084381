"""The recording rules, as code: every window and SL variant from one definition.

``floorboard prometheus generate`` writes them to recording.rules.yml beside this module; a
test fails when the committed file differs. Workers export only additive series (each owns a
share of every queue), so every rule sums across workers first and divides after.
"""

from __future__ import annotations

from dataclasses import dataclass

from floorboard.config import SlVariant
from floorboard.engine.stats import Z95

QUEUE = "site, queue, channel"
THRESHOLD = "floorboard_sl_threshold_seconds"


@dataclass(frozen=True)
class Rule:
    record: str
    expr: str


@dataclass(frozen=True)
class Window:
    """A look-back: a PromQL range, or the day to date (the counters' own value)."""

    range: str | None
    volume: str  # suffix of counts: increase15m, today
    ratio: str  # suffix of ratios: ratio15m, today
    mean: str  # suffix of means: mean15m, today

    def counted(self, series: str) -> str:
        return series if self.range is None else f"increase({series}[{self.range}])"


W15M = Window("15m", "increase15m", "ratio15m", "mean15m")
W1H = Window("1h", "increase1h", "ratio1h", "mean1h")
TODAY = Window(None, "today", "today", "today")

# Denominator of each SL variant, in recorded volumes (floorboard/engine/kpis.py, service_level).
SL_DENOMINATOR: dict[SlVariant, tuple[str, ...]] = {
    SlVariant.ANSWERED_OF_OFFERED: ("+offered",),
    SlVariant.ANSWERED_OF_ANSWERED_ABANDONED: ("+answered", "+abandoned"),
    SlVariant.ANSWERED_OF_ANSWERED_LONG_ABANDONED: ("+answered", "+abandoned", "-short_abandoned"),
    SlVariant.ANSWERED_OR_ABANDONED_OF_OFFERED: ("+offered",),
    SlVariant.ANSWERED_OF_ANSWERED: ("+answered",),
}
# Variants whose numerator also counts contacts abandoned within T.
SL_COUNTS_ABANDONED = (SlVariant.ANSWERED_OR_ABANDONED_OF_OFFERED,)


def _sum(by: str, expr: str) -> str:
    return f"sum by ({by}) ({expr})"


def _ratio(numerator: str, denominator: str, cap: bool = False) -> str:
    # "> 0" drops empty denominators, so no rule ever records NaN or +Inf.
    ratio = f"{numerator}\n/ ({denominator} > 0)"
    return f"clamp_max(\n  {_indent(ratio)},\n  1\n)" if cap else ratio


def _indent(text: str, by: int = 2) -> str:
    return text.replace("\n", "\n" + " " * by)


def _variant(variant: SlVariant) -> str:
    return f'on ({QUEUE}) {THRESHOLD}{{variant="{variant.value}"}}'


def queue_volumes(w: Window) -> list[Rule]:
    """Counts per queue × channel, and "within T" picked from the bucket whose ``le`` is T."""
    rules = [
        Rule(f"floorboard:{name}:{w.volume}", _sum(QUEUE, w.counted(f"floorboard_{metric}_total")))
        for name, metric in (
            ("offered", "contacts_offered"),
            ("answered", "contacts_answered"),
            ("abandoned", "contacts_abandoned"),
            ("short_abandoned", "contacts_short_abandoned"),
        )
    ]
    for name, histogram, counter in (
        ("answered_within_sl", "answered_wait", "contacts_answered_within_sl"),
        ("abandoned_within_sl", "abandoned_wait", "contacts_abandoned_within_sl"),
    ):
        bucket = w.counted(f"floorboard_{histogram}_seconds_bucket")
        # The threshold gauge carries T as its le label: "and" keeps exactly that bucket. A queue
        # missing from the configuration has no gauge; its engine counter stands in.
        picked = _sum(QUEUE, f"\n  {bucket}\n  and on ({QUEUE}, le) {THRESHOLD}\n")
        fallback = _sum(QUEUE, w.counted(f"floorboard_{counter}_total"))
        rules.append(Rule(f"floorboard:{name}:{w.volume}", f"{picked}\nor {fallback}"))
    return rules


def service_level(w: Window) -> list[Rule]:
    """SL per queue × channel with the variant configured for it (the threshold gauge's label)."""

    def volume(name: str) -> str:
        return f"floorboard:{name}:{w.volume}"

    terms = []
    for variant, parts in SL_DENOMINATOR.items():
        total = " ".join(f"{p[0]} {volume(p[1:])}" for p in parts).removeprefix("+ ")
        terms.append(f"(\n  {total}\n  and {_variant(variant)}\n)")
    # A queue missing from the configuration has no variant: the default (÷ offered) applies.
    denominator = "\nor ".join([*terms, volume("offered")])
    counts_abandoned = "|".join(v.value for v in SL_COUNTS_ABANDONED)
    numerator = (
        f"{volume('answered_within_sl')}\n"
        f"+ (\n  {volume('abandoned_within_sl')}\n"
        f'  and on ({QUEUE}) {THRESHOLD}{{variant=~"{counts_abandoned}"}}\n)\n'
        f"or {volume('answered_within_sl')}"
    )
    return [
        Rule(volume("sl_numerator"), numerator),
        Rule(volume("sl_denominator"), denominator),
        # Capped at 1 as the engine does: near a window's edge answers can outnumber offers.
        Rule(
            f"floorboard:service_level:{w.ratio}",
            _ratio(volume("sl_numerator"), volume("sl_denominator"), cap=True),
        ),
        # Site totals: answered within each queue's own T ÷ offered (the engine's default
        # aggregate_sl_variant).
        Rule(
            f"floorboard:site_service_level:{w.ratio}",
            _ratio(
                _sum("site", volume("answered_within_sl")),
                _sum("site", volume("offered")),
                cap=True,
            ),
        ),
        Rule(f"floorboard:abandon_rate:{w.ratio}", _ratio(volume("abandoned"), volume("offered"))),
        Rule(
            f"floorboard:site_abandon_rate:{w.ratio}",
            _ratio(_sum("site", volume("abandoned")), _sum("site", volume("offered"))),
        ),
    ]


def _mean(w: Window, histogram: str, by: str = QUEUE) -> str:
    return _ratio(
        _sum(by, w.counted(f"{histogram}_sum")), _sum(by, w.counted(f"{histogram}_count"))
    )


def handling(w: Window) -> list[Rule]:
    """ASA, and AHT as the engine derives it: mean talk + hold, plus mean ACW if there was any."""
    talk_hold = _mean(w, "floorboard_talk_hold_seconds")
    acw = _mean(w, "floorboard_after_contact_work_seconds")
    return [
        Rule(f"floorboard:asa_seconds:{w.mean}", _mean(w, "floorboard_answered_wait_seconds")),
        Rule(
            f"floorboard:aht_seconds:{w.mean}",
            f"(\n  {_indent(talk_hold)}\n)\n+ (\n  (\n    {_indent(acw, 4)}\n  )\n"
            f"  or {_sum(QUEUE, w.counted('floorboard_talk_hold_seconds_count'))} * 0\n)",
        ),
    ]


def _operation(w: Window, op: str) -> str:
    """The operations part of a ``level:metric:operations`` name: ``ratio_increase15m``,
    ``ratio_today`` (the counters' day-to-date value needs no increase)."""
    return f"{op}_{w.volume}"


def occupancy(w: Window) -> list[Rule]:
    """(busy + ACW) ÷ (ready + busy + ACW) of agent time, per team and per site, summed first."""
    series = "floorboard_agent_state_seconds_total"
    return [
        Rule(
            f"{level.replace(', ', '_')}:floorboard_occupancy:{_operation(w, 'ratio')}",
            _ratio(
                _sum(level, w.counted(f'{series}{{state=~"busy|acw"}}')),
                _sum(level, w.counted(f'{series}{{state=~"ready|busy|acw"}}')),
            ),
        )
        for level in ("site, team", "site")
    ]


def resolve_time(w: Window) -> list[Rule]:
    """Σ(resolved − received) ÷ resolved, per queue × channel and per site."""
    return [
        Rule(
            f"{level.replace(', ', '_')}:floorboard_resolve_seconds:{_operation(w, 'mean')}",
            _ratio(
                _sum(level, w.counted("floorboard_resolve_seconds_total")),
                _sum(level, w.counted("floorboard_contacts_resolved_total")),
            ),
        )
        for level in (QUEUE, "site")
    ]


def team_service_level(w: Window) -> list[Rule]:
    """A team's SL: the queues it answered in the window (``views.team_figures``), answered
    within each queue's own T ÷ offered, summed over those queues before the ratio."""
    answered = w.counted("floorboard_team_queue_contacts_answered_total")
    # One sample of value 1 per (team, queue, channel) the team answered.
    served = f"group by (site, team, queue, channel) (\n  {answered} > 0\n)"

    def over_served(volume: str) -> str:
        return _sum(
            "site, team",
            f"\n  floorboard:{volume}:{w.volume}\n  * on ({QUEUE}) group_right\n"
            f"  {_indent(served, 2)}\n",
        )

    return [
        Rule(
            f"site_team:floorboard_service_level:{_operation(w, 'ratio')}",
            _ratio(over_served("answered_within_sl"), over_served("offered"), cap=True),
        )
    ]


def _survey(w: Window, kind: str, bucket: str | None = None) -> str:
    match = f'kind="{kind}"' if bucket is None else f'kind="{kind}", bucket="{bucket}"'
    return _sum("site", w.counted(f"floorboard_survey_responses_total{{{match}}}"))


def quality(w: Window) -> list[Rule]:
    """Customer and QA figures per site (their counters carry no queue) with their n."""
    score = "score1h" if w.range == "1h" else w.ratio

    def volume(name: str) -> str:
        return f"floorboard:{name}:{w.volume}"

    csat_sum = _sum("site", w.counted('floorboard_survey_score_sum_total{kind="csat"}'))
    qa_score = _sum("site", w.counted('floorboard_qa_points_total{part="score"}'))
    qa_max = _sum("site", w.counted('floorboard_qa_points_total{part="max"}'))
    return [
        Rule(volume("csat_responses"), _survey(w, "csat")),
        Rule(f"floorboard:csat_mean:{w.mean}", _ratio(csat_sum, volume("csat_responses"))),
        Rule(
            f"floorboard:csat_top2_rate:{w.ratio}",
            _ratio(_survey(w, "csat", "top2"), volume("csat_responses")),
        ),
        Rule(volume("nps_responses"), _survey(w, "nps")),
        Rule(
            f"floorboard:nps_promoter_share:{w.ratio}",
            _ratio(_survey(w, "nps", "promoter"), volume("nps_responses")),
        ),
        Rule(
            f"floorboard:nps_detractor_share:{w.ratio}",
            _ratio(_survey(w, "nps", "detractor"), volume("nps_responses")),
        ),
        Rule(
            f"floorboard:nps:{score}",
            f"100 * (\n  floorboard:nps_promoter_share:{w.ratio}\n"
            f"  - floorboard:nps_detractor_share:{w.ratio}\n)",
        ),
        Rule(volume("fcr_responses"), _survey(w, "fcr")),
        Rule(
            f"floorboard:fcr_rate:{w.ratio}",
            _ratio(_survey(w, "fcr", "yes"), volume("fcr_responses")),
        ),
        Rule(volume("qa_evaluations"), _sum("site", w.counted("floorboard_qa_evaluations_total"))),
        Rule(f"floorboard:qa_score:{w.ratio}", _ratio(qa_score, qa_max)),
    ]


def _wilson(p: str, n: str, sign: str) -> str:
    """Wilson score bound of a proportion, as floorboard/engine/stats.py computes it."""
    z2 = Z95 * Z95
    clamp, limit = ("clamp_min", 0) if sign == "-" else ("clamp_max", 1)
    return (
        f"{clamp}(\n  (\n    {p} + {z2 / 2!r} / {n}\n"
        f"    {sign} {Z95!r} * sqrt({p} * (1 - {p}) / {n} + {z2 / 4!r} / {n} ^ 2)\n"
        f"  )\n  / (1 + {z2!r} / {n}),\n  {limit}\n)"
    )


def intervals(w: Window) -> list[Rule]:
    """95 % intervals of customer figures, so a TV shows how far a figure can be trusted."""
    rules = []
    for kpi, n in (("fcr_rate", "fcr_responses"), ("csat_top2_rate", "csat_responses")):
        p, count = f"floorboard:{kpi}:{w.ratio}", f"floorboard:{n}:{w.volume}"
        rules += [
            Rule(f"floorboard:{kpi}_low95:{w.ratio}", _wilson(p, count, "-")),
            Rule(f"floorboard:{kpi}_high95:{w.ratio}", _wilson(p, count, "+")),
        ]
    promoters = f"floorboard:nps_promoter_share:{w.ratio}"
    detractors = f"floorboard:nps_detractor_share:{w.ratio}"
    # NPS ± z·SE with SE = 100·sqrt((p + d − (p − d)²) / n).
    spread = f"{promoters} + {detractors} - ({promoters} - {detractors}) ^ 2"
    se = f"100 * sqrt(clamp_min({spread}, 0) / floorboard:nps_responses:{w.volume})"
    nps = "floorboard:nps:" + ("score1h" if w.range == "1h" else w.ratio)
    return [
        *rules,
        Rule(f"floorboard:nps_low95:{w.ratio}",
             f"clamp_min(\n  {nps}\n  - {Z95!r} * {se},\n  -100\n)"),
        Rule(f"floorboard:nps_high95:{w.ratio}",
             f"clamp_max(\n  {nps}\n  + {Z95!r} * {se},\n  100\n)"),
    ]  # fmt: skip


def live() -> list[Rule]:
    """The live queue across workers: counts add up, the oldest waiting is the minimum time."""
    return [
        Rule("floorboard:contacts_waiting:sum", _sum(QUEUE, "floorboard_contacts_waiting")),
        Rule(
            "floorboard:longest_wait:seconds",
            "time() - min by (site, queue, channel) "
            "(floorboard_oldest_waiting_contact_timestamp_seconds)",
        ),
        Rule("floorboard:backlog_items:sum", _sum(QUEUE, "floorboard_backlog_items")),
        Rule(
            "floorboard:oldest_backlog_item:age_seconds",
            "time() - min by (site, queue, channel) "
            "(floorboard_oldest_backlog_item_timestamp_seconds)",
        ),
        Rule("floorboard:agents:sum", _sum("site, state", "floorboard_agents")),
        Rule("floorboard:agents_ready:sum", _sum("site", 'floorboard_agents{state="ready"}')),
    ]


def configuration() -> list[Rule]:
    # Every worker exports the same configuration: keep one copy.
    return [Rule("floorboard:target", "max by (site, queue, kpi, level) (floorboard_target)")]


def pipeline() -> list[Rule]:
    return [
        Rule("floorboard:events:rate5m",
             _sum("outcome", "rate(floorboard_worker_events_total[5m])")),
        Rule(
            "floorboard:last_event:age_seconds",
            "time() - max by (site) (floorboard_worker_last_event_timestamp_seconds)",
        ),
        # During a rebalance two workers may report one partition for a moment: max, not sum.
        Rule(
            "floorboard:consumer_lag:max",
            "max by (topic, partition) (floorboard_worker_consumer_lag)",
        ),
        Rule(
            "floorboard:dead_letters:increase1h",
            _sum("reason", "increase(floorboard_worker_dead_letters_total[1h])"),
        ),
    ]  # fmt: skip


def rules() -> list[Rule]:
    """In evaluation order: a rule reads only rules above it (one group evaluates in order)."""
    out = configuration()
    for w in (W15M, W1H, TODAY):
        out += queue_volumes(w) + service_level(w) + team_service_level(w)
    for w in (W15M, W1H, TODAY):
        out += handling(w) + occupancy(w) + resolve_time(w)
    for w in (W1H, TODAY):
        out += quality(w)
    out += intervals(TODAY) + live() + pipeline()
    return out
