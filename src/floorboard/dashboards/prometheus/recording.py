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
# The threshold gauge names the bucket it selects in threshold_le (a gauge may not carry "le").
THRESHOLD_AS_LE = f'label_replace({THRESHOLD}, "le", "$1", "threshold_le", "(.+)")'

# Names follow Prometheus' level:metric:operations convention. Each rule family's level (the
# labels it keeps) and metric, by the short name it had before (floorboard:<short>:<window>),
# which stays recorded as an alias for one release (docs/metrics.md).
FAMILIES: dict[str, str] = {
    "offered": "site_queue_channel:floorboard_contacts_offered",
    "answered": "site_queue_channel:floorboard_contacts_answered",
    "abandoned": "site_queue_channel:floorboard_contacts_abandoned",
    "short_abandoned": "site_queue_channel:floorboard_contacts_short_abandoned",
    "answered_within_sl": "site_queue_channel:floorboard_contacts_answered_within_sl",
    "abandoned_within_sl": "site_queue_channel:floorboard_contacts_abandoned_within_sl",
    "sl_numerator": "site_queue_channel:floorboard_sl_numerator",
    "sl_denominator": "site_queue_channel:floorboard_sl_denominator",
    "service_level": "site_queue_channel:floorboard_service_level",
    "site_service_level": "site:floorboard_service_level",
    "abandon_rate": "site_queue_channel:floorboard_abandon_rate",
    "site_abandon_rate": "site:floorboard_abandon_rate",
    "asa_seconds": "site_queue_channel:floorboard_answered_wait_seconds",
    "aht_seconds": "site_queue_channel:floorboard_handle_seconds",
    "csat_responses": "site:floorboard_csat_responses",
    "csat_mean": "site:floorboard_csat_score",
    "csat_top2_rate": "site:floorboard_csat_top2",
    "csat_top2_rate_low95": "site:floorboard_csat_top2_low95",
    "csat_top2_rate_high95": "site:floorboard_csat_top2_high95",
    "nps_responses": "site:floorboard_nps_responses",
    "nps_promoter_share": "site:floorboard_nps_promoters",
    "nps_detractor_share": "site:floorboard_nps_detractors",
    "nps": "site:floorboard_nps_points",
    "nps_low95": "site:floorboard_nps_points_low95",
    "nps_high95": "site:floorboard_nps_points_high95",
    "fcr_responses": "site:floorboard_fcr_responses",
    "fcr_rate": "site:floorboard_fcr",
    "fcr_rate_low95": "site:floorboard_fcr_low95",
    "fcr_rate_high95": "site:floorboard_fcr_high95",
    "qa_evaluations": "site:floorboard_qa_evaluations",
    "qa_score": "site:floorboard_qa_points",
}


def name(short: str, window: str) -> str:
    """The recorded name of a family over a window (increase15m, ratio1h, today, …)."""
    return f"{FAMILIES[short]}:{window}"


@dataclass(frozen=True)
class Rule:
    record: str
    expr: str
    legacy: str = ""  # the name this rule had before level:metric:operations, kept as an alias


def rule(short: str, window: str, expr: str) -> Rule:
    return Rule(name(short, window), expr, f"floorboard:{short}:{window}")


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
        rule(short, w.volume, _sum(QUEUE, w.counted(f"floorboard_{metric}_total")))
        for short, metric in (
            ("offered", "contacts_offered"),
            ("answered", "contacts_answered"),
            ("abandoned", "contacts_abandoned"),
            ("short_abandoned", "contacts_short_abandoned"),
        )
    ]
    for short, histogram, counter in (
        ("answered_within_sl", "answered_wait", "contacts_answered_within_sl"),
        ("abandoned_within_sl", "abandoned_wait", "contacts_abandoned_within_sl"),
    ):
        bucket = w.counted(f"floorboard_{histogram}_seconds_bucket")
        # The threshold gauge carries T as its le label: "and" keeps exactly that bucket. A queue
        # missing from the configuration has no gauge; its engine counter stands in.
        picked = _sum(QUEUE, f"\n  {bucket}\n  and on ({QUEUE}, le) {THRESHOLD_AS_LE}\n")
        fallback = _sum(QUEUE, w.counted(f"floorboard_{counter}_total"))
        rules.append(rule(short, w.volume, f"{picked}\nor {fallback}"))
    return rules


def service_level(w: Window) -> list[Rule]:
    """SL per queue × channel with the variant configured for it (the threshold gauge's label)."""

    def volume(short: str) -> str:
        return name(short, w.volume)

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
        rule("sl_numerator", w.volume, numerator),
        rule("sl_denominator", w.volume, denominator),
        # Capped at 1 as the engine does: near a window's edge answers can outnumber offers.
        rule(
            "service_level",
            w.ratio,
            _ratio(volume("sl_numerator"), volume("sl_denominator"), cap=True),
        ),
        # Site totals: answered within each queue's own T ÷ offered (the engine's default
        # aggregate_sl_variant).
        rule(
            "site_service_level",
            w.ratio,
            _ratio(
                _sum("site", volume("answered_within_sl")),
                _sum("site", volume("offered")),
                cap=True,
            ),
        ),
        rule("abandon_rate", w.ratio, _ratio(volume("abandoned"), volume("offered"))),
        rule(
            "site_abandon_rate",
            w.ratio,
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
        rule("asa_seconds", w.mean, _mean(w, "floorboard_answered_wait_seconds")),
        rule(
            "aht_seconds",
            w.mean,
            f"(\n  {_indent(talk_hold)}\n)\n+ (\n  (\n    {_indent(acw, 4)}\n  )\n"
            f"  or {_sum(QUEUE, w.counted('floorboard_talk_hold_seconds_count'))} * 0\n)",
        ),
    ]


def occupancy(w: Window) -> list[Rule]:
    """(busy + ACW) ÷ (ready + busy + ACW) of agent time, per team and per site, summed first."""
    series = "floorboard_agent_state_seconds_total"
    return [
        Rule(
            f"{level.replace(', ', '_')}:floorboard_occupancy:{w.ratio}",
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
            f"{level.replace(', ', '_')}:floorboard_resolve_seconds:{w.mean}",
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
            f"\n  {name(volume, w.volume)}\n  * on ({QUEUE}) group_right\n  {_indent(served, 2)}\n",
        )

    return [
        Rule(
            f"site_team:floorboard_service_level:{w.ratio}",
            _ratio(over_served("answered_within_sl"), over_served("offered"), cap=True),
        )
    ]


def _survey(w: Window, kind: str, bucket: str | None = None) -> str:
    match = f'kind="{kind}"' if bucket is None else f'kind="{kind}", bucket="{bucket}"'
    return _sum("site", w.counted(f"floorboard_survey_responses_total{{{match}}}"))


def quality(w: Window) -> list[Rule]:
    """Customer and QA figures per site (their counters carry no queue) with their n."""
    score = "score1h" if w.range == "1h" else w.ratio

    def volume(short: str) -> str:
        return name(short, w.volume)

    csat_sum = _sum("site", w.counted('floorboard_survey_score_sum_total{kind="csat"}'))
    qa_score = _sum("site", w.counted('floorboard_qa_points_total{part="score"}'))
    qa_max = _sum("site", w.counted('floorboard_qa_points_total{part="max"}'))
    return [
        rule("csat_responses", w.volume, _survey(w, "csat")),
        rule("csat_mean", w.mean, _ratio(csat_sum, volume("csat_responses"))),
        rule(
            "csat_top2_rate", w.ratio, _ratio(_survey(w, "csat", "top2"), volume("csat_responses"))
        ),
        rule("nps_responses", w.volume, _survey(w, "nps")),
        rule(
            "nps_promoter_share",
            w.ratio,
            _ratio(_survey(w, "nps", "promoter"), volume("nps_responses")),
        ),
        rule(
            "nps_detractor_share",
            w.ratio,
            _ratio(_survey(w, "nps", "detractor"), volume("nps_responses")),
        ),
        rule(
            "nps",
            score,
            f"100 * (\n  {name('nps_promoter_share', w.ratio)}\n"
            f"  - {name('nps_detractor_share', w.ratio)}\n)",
        ),
        rule("fcr_responses", w.volume, _survey(w, "fcr")),
        rule("fcr_rate", w.ratio, _ratio(_survey(w, "fcr", "yes"), volume("fcr_responses"))),
        rule(
            "qa_evaluations", w.volume, _sum("site", w.counted("floorboard_qa_evaluations_total"))
        ),
        rule("qa_score", w.ratio, _ratio(qa_score, qa_max)),
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
        p, count = name(kpi, w.ratio), name(n, w.volume)
        rules += [
            rule(f"{kpi}_low95", w.ratio, _wilson(p, count, "-")),
            rule(f"{kpi}_high95", w.ratio, _wilson(p, count, "+")),
        ]
    promoters = name("nps_promoter_share", w.ratio)
    detractors = name("nps_detractor_share", w.ratio)
    # NPS ± z·SE with SE = 100·sqrt((p + d − (p − d)²) / n).
    spread = f"{promoters} + {detractors} - ({promoters} - {detractors}) ^ 2"
    se = f"100 * sqrt(clamp_min({spread}, 0) / {name('nps_responses', w.volume)})"
    nps = name("nps", "score1h" if w.range == "1h" else w.ratio)
    return [
        *rules,
        rule("nps_low95", w.ratio, f"clamp_min(\n  {nps}\n  - {Z95!r} * {se},\n  -100\n)"),
        rule("nps_high95", w.ratio, f"clamp_max(\n  {nps}\n  + {Z95!r} * {se},\n  100\n)"),
    ]


def live() -> list[Rule]:
    """The live queue across workers: counts add up, the oldest waiting is the minimum time."""
    return [
        Rule(
            "site_queue_channel:floorboard_contacts_waiting:sum",
            _sum(QUEUE, "floorboard_contacts_waiting"),
            "floorboard:contacts_waiting:sum",
        ),
        Rule(
            "site_queue_channel:floorboard_longest_wait_seconds:max",
            "time() - min by (site, queue, channel) "
            "(floorboard_oldest_waiting_contact_timestamp_seconds)",
            "floorboard:longest_wait:seconds",
        ),
        Rule(
            "site_queue_channel:floorboard_backlog_items:sum",
            _sum(QUEUE, "floorboard_backlog_items"),
            "floorboard:backlog_items:sum",
        ),
        Rule(
            "site_queue_channel:floorboard_oldest_backlog_item_age_seconds:max",
            "time() - min by (site, queue, channel) "
            "(floorboard_oldest_backlog_item_timestamp_seconds)",
            "floorboard:oldest_backlog_item:age_seconds",
        ),
        Rule(
            "site_state:floorboard_agents:sum",
            _sum("site, state", "floorboard_agents"),
            "floorboard:agents:sum",
        ),
        Rule(
            "site:floorboard_agents_ready:sum",
            _sum("site", 'floorboard_agents{state="ready"}'),
            "floorboard:agents_ready:sum",
        ),
        # Ready, talking or wrapping up: agents who take the next contact once free. Not ready
        # (breaks, meetings) and merely logged in are not.
        Rule(
            "site:floorboard_agents_working:sum",
            _sum("site", f'floorboard_agents{{state=~"{"|".join(WORKING_STATES)}"}}'),
        ),
    ]


WORKING_STATES = ("ready", "busy", "acw")
TARGET_FAMILIES = (
    "floorboard_target_ratio",
    "floorboard_target_seconds",
    "floorboard_target_score",
    "floorboard_target_nps_points",
    "floorboard_target_contacts",
)


def configuration() -> list[Rule]:
    # Every worker exports the same configuration: keep one copy.
    rules = [
        Rule(f"site_queue_kpi_level:{family}:max", f"max by (site, queue, kpi, level) ({family})")
        for family in TARGET_FAMILIES
    ]
    union = "\nor ".join(rule.record for rule in rules)
    # The single target series of before, for one release (floorboard_target was split by unit).
    return [*rules, Rule("floorboard:target", union)]


def pipeline() -> list[Rule]:
    return [
        Rule(
            "outcome:floorboard_worker_events:rate5m",
            _sum("outcome", "rate(floorboard_worker_events_total[5m])"),
            "floorboard:events:rate5m",
        ),
        Rule(
            "site:floorboard_worker_last_event_age_seconds:min",
            "time() - max by (site) (floorboard_worker_last_event_timestamp_seconds)",
            "floorboard:last_event:age_seconds",
        ),
        # During a rebalance two workers may report one partition for a moment: max, not sum.
        Rule(
            "topic_partition:floorboard_worker_consumer_lag:max",
            "max by (topic, partition) (floorboard_worker_consumer_lag)",
            "floorboard:consumer_lag:max",
        ),
        Rule(
            "reason:floorboard_worker_dead_letters:increase1h",
            _sum("reason", "increase(floorboard_worker_dead_letters_total[1h])"),
            "floorboard:dead_letters:increase1h",
        ),
    ]


def aliases(current: list[Rule]) -> list[Rule]:
    """The names of before as copies of the new rules, for one release (docs/metrics.md)."""
    return [Rule(r.legacy, r.record) for r in current if r.legacy]


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
    return out + aliases(out)
