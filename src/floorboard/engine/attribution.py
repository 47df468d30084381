"""Survey and QA attribution to the queue, channel, agent and team of their contact.

Responses arrive minutes to days after the contact. A contact record (kept for the configured TTL)
remembers who handled it. A response for an unknown contact is counted at once in the site's
*unattributed* cell (queue, channel and team empty) and moved to the right cell if its contact
arrives later; the move is a subtraction and an addition of the same integers, so totals never
change and any arrival order gives the same figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from floorboard.engine.layout import AGENT_QUALITY_FIELDS, Layout
from floorboard.engine.windows import Tier, bucket_start
from floorboard.events.model import QaEvaluation, SurveyResponse

if TYPE_CHECKING:
    from floorboard.engine.engine import Engine

Pairs = list[list[int]]  # [[vector index, amount], ...]
# Contact record: [queue|None, channel, team, agent, rank_kind, rank_ts, last_ts, contributions]
# Contribution: [ts, pairs, agent quality sums]
_QUEUE, _CHANNEL, _TEAM, _AGENT, _KIND, _RANK_TS, _LAST, _CONTRIB = range(8)
UNATTRIBUTED = ""


def survey_delta(layout: Layout, ev: SurveyResponse) -> tuple[Pairs, list[int]]:
    ix = layout.index
    pairs: Pairs = [[ix["surveys"], 1]]
    quality = [0] * len(AGENT_QUALITY_FIELDS)
    if ev.csat is not None:
        pairs += [
            [ix["csat_n"], 1],
            [ix["csat_sum"], ev.csat],
            [ix["csat_sq_sum"], ev.csat * ev.csat],
            [ix["csat_top2"], int(ev.csat >= 4)],
        ]
        quality[0], quality[1] = 1, ev.csat
    if ev.nps is not None:
        pairs += [
            [ix["nps_n"], 1],
            [ix["nps_promoters"], int(ev.nps >= 9)],
            [ix["nps_detractors"], int(ev.nps <= 6)],
        ]
    if ev.fcr is not None:
        pairs += [[ix["fcr_n"], 1], [ix["fcr_yes"], int(ev.fcr)]]
    if ev.ces is not None:
        pairs += [[ix["ces_n"], 1], [ix["ces_sum"], ev.ces], [ix["ces_sq_sum"], ev.ces * ev.ces]]
    return pairs, quality


def qa_delta(layout: Layout, ev: QaEvaluation) -> tuple[Pairs, list[int]]:
    ix = layout.index
    score, top = round(ev.score * 1000), round(ev.max_score * 1000)
    pairs: Pairs = [
        [ix["qa_n"], 1],
        [ix["qa_score_milli"], score],
        [ix["qa_max_milli"], top],
        [ix["qa_items_passed"], ev.items_passed],
        [ix["qa_items_failed"], ev.items_failed],
    ]
    return pairs, [0, 0, 1, score, top]


def observe_contact(
    engine: Engine,
    site: str,
    contact_id: str,
    queue: str,
    channel: str,
    team: str,
    agent: str,
    ts: int,
    kind: int,
) -> None:
    """Record who handled a contact: the latest answer wins, else the latest offer."""
    key = (site, contact_id)
    rows = engine.state.tables["c"]
    engine.state.dirty["c"].add(key)
    rec = rows.get(key)
    if rec is None:
        rows[key] = [queue, channel, team, agent, kind, ts, ts, []]
        return
    if ts > rec[_LAST]:
        rec[_LAST] = ts
    if rec[_QUEUE] is not None and _ranks_below(rec, (kind, ts, queue, channel, team, agent)):
        return
    for contribution in rec[_CONTRIB]:
        _apply(engine, site, rec, contribution, -1)
    rec[_QUEUE], rec[_CHANNEL], rec[_TEAM], rec[_AGENT] = queue, channel, team, agent
    rec[_KIND], rec[_RANK_TS] = kind, ts
    for contribution in rec[_CONTRIB]:
        _apply(engine, site, rec, contribution, +1)


def _ranks_below(rec: list[Any], rank: tuple[int, int, str, str, str, str]) -> bool:
    """Whether ``rank`` is at or below the rank of the attributed ``rec``."""
    # Compared like the whole tuples, but the common cases decide on kind or time alone.
    kind, ts = rank[0], rank[1]
    old_kind: int = rec[_KIND]
    old_ts: int = rec[_RANK_TS]
    if kind != old_kind:
        return kind < old_kind
    if ts != old_ts:
        return ts < old_ts
    return rank[2:] <= (rec[_QUEUE], rec[_CHANNEL], rec[_TEAM], rec[_AGENT])


def add_contribution(
    engine: Engine, site: str, contact_id: str, ts: int, delta: tuple[Pairs, list[int]]
) -> None:
    key = (site, contact_id)
    rows = engine.state.tables["c"]
    engine.state.dirty["c"].add(key)
    rec = rows.get(key)
    if rec is None:
        rec = rows[key] = [None, "", "", "", -1, 0, ts, []]
    elif ts > rec[_LAST]:
        rec[_LAST] = ts
    contribution = [ts, delta[0], delta[1]]
    rec[_CONTRIB].append(contribution)
    _apply(engine, site, rec, contribution, +1)


def _apply(engine: Engine, site: str, rec: list[Any], contribution: list[Any], sign: int) -> None:
    ts, pairs, quality = contribution
    attributed = rec[_QUEUE] is not None
    queue = rec[_QUEUE] if attributed else UNATTRIBUTED
    channel, team = (rec[_CHANNEL], rec[_TEAM]) if attributed else (UNATTRIBUTED, UNATTRIBUTED)
    tier = engine.tier_for(site, ts)
    if tier is None:
        return  # beyond every window: gone on both sides of a move, so skipped on both
    vector = engine.cell_vector(site, queue, channel, team, ts, tier)
    for index, amount in pairs:
        vector[index] += sign * amount
    if attributed and rec[_AGENT] and any(quality):
        key = (site, team, rec[_AGENT], bucket_start(ts, Tier.QUARTER))
        engine.state.dirty["aq"].add(key)
        rows = engine.state.tables["aq"]
        sums = rows.get(key)
        if sums is None:
            sums = rows[key] = [0] * len(AGENT_QUALITY_FIELDS)
            engine.expiry.add("aq", key)
        for i, amount in enumerate(quality):
            sums[i] += sign * amount
