"""Survey and QA attribution to the queue, channel, agent and team of their contact.

Responses arrive minutes to days after the contact. A contact record (kept for the configured TTL)
remembers who handled it. A response for an unknown contact is counted at once in the site's
*unattributed* cell (queue, channel and team empty) and moved to the right cell if its contact
arrives later; the move is a subtraction and an addition of the same integers, so totals never
change and any arrival order gives the same figures.
"""

from __future__ import annotations

from typing import Any, Final

from floorboard.engine.cells import CellBuckets
from floorboard.engine.expiry import ExpiryIndex
from floorboard.engine.layout import AGENT_QUALITY_FIELDS, AGENT_QUALITY_INDEX, Layout
from floorboard.engine.state import KeyedState
from floorboard.engine.tables import (
    AGENT_QUALITY,
    CONTACT_AGENT,
    CONTACT_CHANNEL,
    CONTACT_CONTRIBUTIONS,
    CONTACT_LAST_TS,
    CONTACT_QUEUE,
    CONTACT_RANK_KIND,
    CONTACT_RANK_TS,
    CONTACT_TEAM,
    CONTACTS,
    CONTRIBUTION_PAIRS,
    CONTRIBUTION_QUALITY,
    CONTRIBUTION_TS,
    RANK_NONE,
)
from floorboard.engine.windows import Tier, bucket_start
from floorboard.events.model import QaEvaluation, SurveyResponse

Pairs = list[list[int]]  # [[vector index, amount], ...]
Delta = tuple[Pairs, list[int]]  # what a response adds: cell vector pairs, agent quality sums
UNATTRIBUTED: Final = ""


def survey_delta(layout: Layout, ev: SurveyResponse) -> Delta:
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
        quality[AGENT_QUALITY_INDEX["csat_n"]] = 1
        quality[AGENT_QUALITY_INDEX["csat_sum"]] = ev.csat
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


def qa_delta(layout: Layout, ev: QaEvaluation) -> Delta:
    ix = layout.index
    score, top = round(ev.score * 1000), round(ev.max_score * 1000)
    pairs: Pairs = [
        [ix["qa_n"], 1],
        [ix["qa_score_milli"], score],
        [ix["qa_max_milli"], top],
        [ix["qa_items_passed"], ev.items_passed],
        [ix["qa_items_failed"], ev.items_failed],
    ]
    quality = [0] * len(AGENT_QUALITY_FIELDS)
    quality[AGENT_QUALITY_INDEX["qa_n"]] = 1
    quality[AGENT_QUALITY_INDEX["qa_score_milli"]] = score
    quality[AGENT_QUALITY_INDEX["qa_max_milli"]] = top
    return pairs, quality


class Attribution:
    """Contact records (table CONTACTS), the responses they move between cells, and the
    per-agent quality sums of attributed responses (table AGENT_QUALITY)."""

    def __init__(
        self, state: KeyedState, expiry: ExpiryIndex, layout: Layout, cells: CellBuckets
    ) -> None:
        self._contacts, self._dirty_contacts = state.tables[CONTACTS], state.dirty[CONTACTS]
        self._quality, self._dirty_quality = state.tables[AGENT_QUALITY], state.dirty[AGENT_QUALITY]
        self._expiry = expiry
        self._layout = layout
        self._cells = cells

    def observe_contact(
        self,
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
        rows = self._contacts
        self._dirty_contacts.add(key)
        rec = rows.get(key)
        if rec is None:
            rows[key] = [queue, channel, team, agent, kind, ts, ts, []]  # fields as in tables.py
            return
        if ts > rec[CONTACT_LAST_TS]:
            rec[CONTACT_LAST_TS] = ts
        if rec[CONTACT_QUEUE] is not None and _ranks_below(
            rec, (kind, ts, queue, channel, team, agent)
        ):
            return
        for contribution in rec[CONTACT_CONTRIBUTIONS]:
            self._apply(site, rec, contribution, -1)
        rec[CONTACT_QUEUE], rec[CONTACT_CHANNEL] = queue, channel
        rec[CONTACT_TEAM], rec[CONTACT_AGENT] = team, agent
        rec[CONTACT_RANK_KIND], rec[CONTACT_RANK_TS] = kind, ts
        for contribution in rec[CONTACT_CONTRIBUTIONS]:
            self._apply(site, rec, contribution, +1)

    def survey(self, ev: SurveyResponse) -> None:
        self._contribute(ev.site, ev.contact_id, ev.ts, survey_delta(self._layout, ev))

    def qa(self, ev: QaEvaluation) -> None:
        self._contribute(ev.site, ev.contact_id, ev.ts, qa_delta(self._layout, ev))

    def _contribute(self, site: str, contact_id: str, ts: int, delta: Delta) -> None:
        key = (site, contact_id)
        rows = self._contacts
        self._dirty_contacts.add(key)
        rec = rows.get(key)
        if rec is None:
            rec = rows[key] = [None, "", "", "", RANK_NONE, 0, ts, []]  # not attributed yet
        elif ts > rec[CONTACT_LAST_TS]:
            rec[CONTACT_LAST_TS] = ts
        contribution = [ts, delta[0], delta[1]]  # fields as in tables.py
        rec[CONTACT_CONTRIBUTIONS].append(contribution)
        self._apply(site, rec, contribution, +1)

    def _apply(self, site: str, rec: list[Any], contribution: list[Any], sign: int) -> None:
        ts: int = contribution[CONTRIBUTION_TS]
        attributed = rec[CONTACT_QUEUE] is not None
        queue = rec[CONTACT_QUEUE] if attributed else UNATTRIBUTED
        team = rec[CONTACT_TEAM] if attributed else UNATTRIBUTED
        channel = rec[CONTACT_CHANNEL] if attributed else UNATTRIBUTED
        tier = self._cells.tier_for(site, ts)
        if tier is None:
            return  # beyond every window: gone on both sides of a move, so skipped on both
        vector = self._cells.vector(site, queue, channel, team, ts, tier)
        for index, amount in contribution[CONTRIBUTION_PAIRS]:
            vector[index] += sign * amount
        quality = contribution[CONTRIBUTION_QUALITY]
        agent = rec[CONTACT_AGENT]
        if attributed and agent and any(quality):
            self._add_quality((site, team, agent, bucket_start(ts, Tier.QUARTER)), quality, sign)

    def _add_quality(self, key: tuple[str, str, str, int], quality: list[int], sign: int) -> None:
        self._dirty_quality.add(key)
        sums = self._quality.get(key)
        if sums is None:
            sums = self._quality[key] = [0] * len(AGENT_QUALITY_FIELDS)
            self._expiry.add(AGENT_QUALITY, key)
        for i, amount in enumerate(quality):
            sums[i] += sign * amount


def _ranks_below(rec: list[Any], rank: tuple[int, int, str, str, str, str]) -> bool:
    """Whether ``rank`` is at or below the rank of the attributed ``rec``."""
    # Compared like the whole tuples, but the common cases decide on kind or time alone.
    kind, ts = rank[0], rank[1]
    old_kind: int = rec[CONTACT_RANK_KIND]
    old_ts: int = rec[CONTACT_RANK_TS]
    if kind != old_kind:
        return kind < old_kind
    if ts != old_ts:
        return ts < old_ts
    return rank[2:] <= (
        rec[CONTACT_QUEUE],
        rec[CONTACT_CHANNEL],
        rec[CONTACT_TEAM],
        rec[CONTACT_AGENT],
    )
