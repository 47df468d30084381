"""The KPI engine: applies canonical events to additive state for one partition of the stream.

Pure Python, no Kafka. The streaming layer runs one engine per source partition; the offline
report runs one for a whole file. Reads live in ``read.py``; agent timelines in ``agents.py``;
survey and QA attribution in ``attribution.py``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from operator import add
from typing import Any, Literal

from floorboard.config import ChannelSettings, Config
from floorboard.engine import agents, attribution
from floorboard.engine.calendar import BusinessCalendar
from floorboard.engine.expiry import TIMED_TABLES, ExpiryIndex
from floorboard.engine.layout import Layout, Vector
from floorboard.engine.state import Checkpoint, Key, KeyedState
from floorboard.engine.windows import (
    HOUR_MS,
    MINUTE_MS,
    QUARTER_MS,
    TIER_MS,
    Tier,
    retention_ms,
)
from floorboard.events.model import (
    ASYNC_CHANNELS,
    AgentState,
    ContactAbandoned,
    ContactAnswered,
    ContactCallbackRequested,
    ContactEnded,
    ContactFirstResponse,
    ContactOffered,
    ContactResolved,
    ContactTransferred,
    ContactWrapupEnded,
    Event,
    QaEvaluation,
    SurveyResponse,
    TeamPulse,
)

Outcome = Literal["applied", "duplicate", "too_late", "unknown_site"]

# Tables of the keyed state; docs/architecture.md lists their keys and values.
TABLES = (
    "m",  # minute buckets: (site, queue, channel, team, bucket) -> cell vector
    "q",  # quarter buckets: same key -> cell vector
    "tm",  # team agent time, minute: (site, team, bucket) -> ms per agent state
    "tq",  # team agent time, quarter
    "aq",  # agent quality, quarter: (site, team, agent, bucket) -> quality sums
    "c",  # contacts: (site, contact_id) -> attribution record
    "w",  # waiting: (site, contact_id, queue) -> [channel, enqueued_ts]
    "k",  # async backlog: (site, contact_id, queue) -> [channel, received_ts]
    "z",  # latest exit from "w"/"k": (site, contact_id, queue, "w"|"k") -> ts
    "a",  # agents: (site, agent) -> timeline record
    "d",  # seen event ids: (site, second) -> [id, ...]
    "p",  # team pulse: (site, team, metric) -> [ts, value, respondents]
)
# Synchronous contacts waiting longer than this are treated as lost feed events, not waiting.
MAX_SYNC_WAIT_MS = 4 * 3600 * 1000
_TIERS = (Tier.MINUTE, Tier.QUARTER)
_TIER_TABLE = {tier: (str(tier.value), TIER_MS[tier]) for tier in _TIERS}


class _HandlerIndexes:
    """The vector indexes each event handler adds to, looked up once per engine."""

    def __init__(self, layout: Layout) -> None:
        ix = layout.index
        self.wait_bounds = layout.wait_bounds_ms
        self.handle_bounds = layout.handle_bounds_ms
        self.offered = ix["offered"]
        self.callbacks = ix["callbacks"]
        self.transferred = ix["transferred"]
        self.answered = (
            ix["answered"],
            ix["answered_wait_ms"],
            ix["answered_within_sl"],
            layout.answered_wait_hist,
        )
        self.abandoned = (
            ix["abandoned"],
            ix["abandoned_wait_ms"],
            ix["abandoned_within_sl"],
            ix["short_abandoned"],
            layout.abandoned_wait_hist,
        )
        self.ended = (ix["handled"], ix["talk_ms"], ix["hold_ms"], layout.talk_hold_hist)
        self.wrapup = (ix["wrapups"], ix["acw_ms"], layout.acw_hist)
        self.first_response = (
            ix["first_responses"],
            ix["first_response_ms"],
            ix["first_response_business_ms"],
            ix["first_responses_within_sla"],
        )
        self.resolved = (ix["resolved"], ix["resolve_ms"])


class Engine:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.layout = Layout(config.wait_bounds_ms, config.handle_bounds_ms)
        self.state = KeyedState(TABLES)
        self.watermarks: dict[str, int] = {}
        self.counters: Counter[str] = Counter()
        self.lateness_ms = config.engine.allowed_lateness_s * 1000
        self._short_ms = config.engine.short_abandon_s * 1000
        self._dedup_ms = config.engine.dedup_ttl_s * 1000
        self._contact_ttl_ms = config.engine.contact_ttl_s * 1000
        self._seen: set[str] = set()
        self.expiry = ExpiryIndex()
        self.agents_due = agents.DueIndex()
        self._last_offset = -1
        self._calendars = {
            site: BusinessCalendar(s.business_hours, s.zone) for site, s in config.sites.items()
        }
        self._settings: dict[tuple[str, str, str], ChannelSettings] = {}
        self._sl_ms: dict[tuple[str, str, str], int] = {}
        # Hot paths reach these tables and dirty sets directly (KeyedState only mutates them).
        tables, dirty = self.state.tables, self.state.dirty
        self._rows_m, self._dirty_m = tables["m"], dirty["m"]
        self._rows_d, self._dirty_d = tables["d"], dirty["d"]
        self._rows_z, self._dirty_z = tables["z"], dirty["z"]
        self._ix = _HandlerIndexes(self.layout)
        self._retention = [(t, TIER_MS[t], retention_ms(t, self.lateness_ms)) for t in _TIERS]
        self._handlers: dict[type, Callable[[Any], None]] = {
            ContactOffered: self._offered,
            ContactAnswered: self._answered,
            ContactAbandoned: self._abandoned,
            ContactCallbackRequested: self._callback,
            ContactTransferred: self._transferred,
            ContactEnded: self._ended,
            ContactWrapupEnded: self._wrapup,
            ContactFirstResponse: self._first_response,
            ContactResolved: self._resolved,
            AgentState: partial(agents.record, self),
            SurveyResponse: self._survey,
            QaEvaluation: self._qa,
            TeamPulse: self._pulse,
        }

    # --- entry points ---

    def apply(self, event: Event, offset: int | None = None) -> Outcome:
        """Apply one event. ``offset`` is its position in the source partition (default: next)."""
        if offset is None:
            offset = self._last_offset + 1
        elif offset <= self._last_offset:
            # Offsets only grow within a partition: this event is already in the state.
            self.counters["redelivered"] += 1
            return "duplicate"
        self._last_offset = offset
        site, ts = event.site, event.ts
        if site not in self.config.sites:
            self.counters["unknown_site"] += 1
            return "unknown_site"
        wm = self.watermarks.get(site)
        if wm is not None and ts < wm - self.lateness_ms:
            self.counters["too_late"] += 1
            return "too_late"
        event_id = event.id
        seen = self._seen
        known = len(seen)
        seen.add(event_id)  # one probe of a large set instead of a lookup and an add
        if len(seen) == known:
            self.counters["duplicates"] += 1
            return "duplicate"
        # Per-second keys keep each checkpointed value small at high event rates.
        key = (site, ts - ts % 1000)
        self._dirty_d.add(key)
        ids = self._rows_d.get(key)
        if ids is None:
            ids = self._rows_d[key] = []
            self.expiry.add("d", key)
        ids.append(event_id)
        if wm is None or ts > wm:
            self.watermarks[site] = ts
            if wm is None or ts // MINUTE_MS != wm // MINUTE_MS:
                self._advance(site, wm, ts)
        self._handlers[type(event)](event)
        self.counters["applied"] += 1
        return "applied"

    def apply_all(self, events: Iterable[Event]) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        for event in events:
            outcomes[self.apply(event)] += 1
        return outcomes

    def count_rejected(self, reason: str) -> None:
        """Count an event rejected before it reached the engine (decode or validation)."""
        self.counters[f"rejected:{reason}"] += 1

    # --- settings ---

    def channel_settings(self, site: str, queue: str, channel: str) -> ChannelSettings:
        key = (site, queue, channel)
        found = self._settings.get(key)
        if found is None:
            found = self._settings[key] = self.config.channel_settings(site, queue, channel)
        return found

    def _sl_threshold_ms(self, site: str, queue: str, channel: str) -> int:
        key = (site, queue, channel)
        found = self._sl_ms.get(key)
        if found is None:
            found = self._sl_ms[key] = self.channel_settings(*key).sl_threshold_s * 1000
        return found

    # --- state access ---

    def cell_vector(
        self, site: str, queue: str, channel: str, team: str, ts: int, tier: Tier = Tier.MINUTE
    ) -> Vector:
        """The cell's bucket vector for ``ts`` in ``tier``, created when missing.

        Events update minute buckets; a minute bucket is added into its quarter bucket when it
        leaves the minute tier (``_advance``), and reads sum both tiers, so every contribution
        counts exactly once whichever bucket holds it.
        """
        table, size = _TIER_TABLE[tier]
        key = (site, queue, channel, team, ts - ts % size)
        self.state.dirty[table].add(key)
        rows = self.state.tables[table]
        vector = rows.get(key)
        if vector is None:
            vector = rows[key] = self.layout.zero()
            self.expiry.add(table, key)
        return vector

    def tier_for(self, site: str, ts: int) -> Tier | None:
        """Where a contribution at ``ts`` lives now: its minute, its quarter, or nowhere (gone)."""
        wm = self.watermarks.get(site, ts)
        for tier, size, keep_ms in self._retention:
            if ts - ts % size + size > wm - keep_ms:
                return tier
        return None

    def _minute_vector(self, site: str, queue: str, channel: str, team: str, ts: int) -> Vector:
        """``cell_vector`` in the minute tier, for event handlers.

        Accepted events are within the allowed lateness, so their minute is always still kept.
        """
        key = (site, queue, channel, team, ts - ts % MINUTE_MS)
        self._dirty_m.add(key)
        vector = self._rows_m.get(key)
        if vector is None:
            vector = self._rows_m[key] = self.layout.zero()
            self.expiry.add("m", key)
        return vector

    # --- watermark housekeeping: eviction, finalization ---

    def _advance(self, site: str, previous: int | None, wm: int) -> None:
        agents.finalize(self, site, wm - self.lateness_ms)
        tables = self.state.tables
        minute_horizon = wm - retention_ms(Tier.MINUTE, self.lateness_ms)
        quarter_horizon = wm - retention_ms(Tier.QUARTER, self.lateness_ms)
        for minute, quarter in (("m", "q"), ("tm", "tq")):
            for key in self.expiry.pop_before(minute, site, minute_horizon):
                self._roll_up(minute, quarter, key)
        for table in ("q", "tq", "aq"):
            for key in self.expiry.pop_before(table, site, quarter_horizon):
                self.state.delete(table, key)
        for key in self.expiry.pop_before("d", site, wm - self._dedup_ms):
            self._seen.difference_update(tables["d"].get(key, ()))
            self.state.delete("d", key)
        if previous is None or wm // HOUR_MS != previous // HOUR_MS:
            # Contacts live for days: sweeping them once an hour is enough.
            horizon = wm - self._contact_ttl_ms
            for key in [k for k, c in tables["c"].items() if k[0] == site and c[6] < horizon]:
                self.state.delete("c", key)
            # An exit time only matters to entries at or before it, and those are too late once
            # it is older than the lateness.
            closed_before = wm - self.lateness_ms
            for key in [k for k, z in tables["z"].items() if k[0] == site and z < closed_before]:
                self.state.delete("z", key)
            for table in ("w", "k"):  # entries whose exit was never seen
                for key in [k for k, v in tables[table].items() if k[0] == site and v[1] < horizon]:
                    self.state.delete(table, key)
            agents.expire(self, site, horizon)

    def _roll_up(self, minute: str, quarter: str, key: Key) -> None:
        """Move a minute bucket leaving the minute tier into its quarter bucket."""
        vector = self.state.tables[minute].get(key)
        self.state.delete(minute, key)
        if vector is None or not any(vector):
            return
        bucket = key[-1]
        target_key = (*key[:-1], bucket - bucket % QUARTER_MS)
        rows = self.state.tables[quarter]
        self.state.dirty[quarter].add(target_key)
        target = rows.get(target_key)
        if target is None:
            rows[target_key] = list(vector)
            self.expiry.add(quarter, target_key)
        else:
            target[:] = map(add, target, vector)  # in C: most of a vector is zeros

    # --- live queue entries ---

    # Entering and leaving a queue are last-writer-wins by event time: an entry is open iff the
    # contact's latest entry into that queue is after its latest exit (an exit at the same
    # instant wins). So any arrival order of a contact's legs, including a transfer back into a
    # queue it left before, leaves the same live queue.

    def _open(
        self, table: str, site: str, contact_id: str, queue: str, channel: str, ts: int
    ) -> None:
        closed = self._rows_z.get((site, contact_id, queue, table))
        if closed is not None and closed >= ts:
            return  # closed by an event at or after this one that arrived first
        key = (site, contact_id, queue)
        rows = self.state.tables[table]
        current = rows.get(key)
        if current is not None and current[1] >= ts:
            return  # a later entry into this queue is already open
        self.state.dirty[table].add(key)
        rows[key] = [channel, ts]

    def _close(self, table: str, site: str, contact_id: str, queue: str, ts: int) -> None:
        key = (site, contact_id, queue)
        rows = self.state.tables[table]
        current = rows.get(key)
        if current is not None and current[1] <= ts:
            self.state.dirty[table].add(key)
            del rows[key]
        tomb = (site, contact_id, queue, table)
        closed = self._rows_z.get(tomb)
        if closed is None or ts > closed:
            self._dirty_z.add(tomb)
            self._rows_z[tomb] = ts

    # --- contact lifecycle handlers ---

    def _offered(self, ev: ContactOffered) -> None:
        site, contact_id, queue, channel, ts = ev.site, ev.contact_id, ev.queue, ev.channel, ev.ts
        self._minute_vector(site, queue, channel, "", ts)[self._ix.offered] += 1
        self._open("w", site, contact_id, queue, channel, ts)
        if channel in ASYNC_CHANNELS:
            self._open("k", site, contact_id, queue, channel, ts)
        attribution.observe_contact(self, site, contact_id, queue, channel, "", "", ts, 0)

    def _answered(self, ev: ContactAnswered) -> None:
        site, queue, channel, ts = ev.site, ev.queue, ev.channel, ev.ts
        wait_ms = round(ev.wait_s * 1000)
        answered, wait_sum, within, hist = self._ix.answered
        vector = self._minute_vector(site, queue, channel, ev.team, ts)
        vector[answered] += 1
        vector[wait_sum] += wait_ms
        vector[within] += wait_ms <= self._sl_threshold_ms(site, queue, channel)
        vector[hist + bisect_left(self._ix.wait_bounds, wait_ms)] += 1
        self._close("w", site, ev.contact_id, queue, ts)
        attribution.observe_contact(
            self, site, ev.contact_id, queue, channel, ev.team, ev.agent, ts, 1
        )

    def _abandoned(self, ev: ContactAbandoned) -> None:
        site, queue, channel, ts = ev.site, ev.queue, ev.channel, ev.ts
        wait_ms = round(ev.wait_s * 1000)
        abandoned, wait_sum, within, short, hist = self._ix.abandoned
        vector = self._minute_vector(site, queue, channel, "", ts)
        vector[abandoned] += 1
        vector[wait_sum] += wait_ms
        vector[within] += wait_ms <= self._sl_threshold_ms(site, queue, channel)
        vector[short] += wait_ms <= self._short_ms
        vector[hist + bisect_left(self._ix.wait_bounds, wait_ms)] += 1
        self._close("w", site, ev.contact_id, queue, ts)
        if channel in ASYNC_CHANNELS:
            self._close("k", site, ev.contact_id, queue, ts)

    def _callback(self, ev: ContactCallbackRequested) -> None:
        self._minute_vector(ev.site, ev.queue, ev.channel, "", ev.ts)[self._ix.callbacks] += 1
        self._close("w", ev.site, ev.contact_id, ev.queue, ev.ts)

    def _transferred(self, ev: ContactTransferred) -> None:
        vector = self._minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[self._ix.transferred] += 1
        self._close("w", ev.site, ev.contact_id, ev.queue, ev.ts)
        if ev.channel in ASYNC_CHANNELS:
            self._close("k", ev.site, ev.contact_id, ev.queue, ev.ts)

    def _ended(self, ev: ContactEnded) -> None:
        talk, hold = round(ev.talk_s * 1000), round(ev.hold_s * 1000)
        handled, talk_sum, hold_sum, hist = self._ix.ended
        vector = self._minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[handled] += 1
        vector[talk_sum] += talk
        vector[hold_sum] += hold
        vector[hist + bisect_left(self._ix.handle_bounds, talk + hold)] += 1

    def _wrapup(self, ev: ContactWrapupEnded) -> None:
        acw = round(ev.acw_s * 1000)
        wrapups, acw_sum, hist = self._ix.wrapup
        vector = self._minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[wrapups] += 1
        vector[acw_sum] += acw
        vector[hist + bisect_left(self._ix.handle_bounds, acw)] += 1

    def _first_response(self, ev: ContactFirstResponse) -> None:
        calendar = self._calendars[ev.site]
        sla = self.channel_settings(ev.site, ev.queue, ev.channel).response_sla
        within = sla is not None and calendar.within_sla(sla, ev.received_ts, ev.ts)
        count, elapsed, business, within_sla = self._ix.first_response
        vector = self._minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[count] += 1
        vector[elapsed] += ev.ts - ev.received_ts
        vector[business] += calendar.business_ms(ev.received_ts, ev.ts)
        vector[within_sla] += within
        self._close("w", ev.site, ev.contact_id, ev.queue, ev.ts)

    def _resolved(self, ev: ContactResolved) -> None:
        resolved, resolve_sum = self._ix.resolved
        vector = self._minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[resolved] += 1
        vector[resolve_sum] += ev.ts - ev.received_ts
        self._close("k", ev.site, ev.contact_id, ev.queue, ev.ts)

    # --- agents, surveys, QA, pulse ---

    def _survey(self, ev: SurveyResponse) -> None:
        attribution.add_contribution(
            self, ev.site, ev.contact_id, ev.ts, attribution.survey_delta(self.layout, ev)
        )

    def _qa(self, ev: QaEvaluation) -> None:
        attribution.add_contribution(
            self, ev.site, ev.contact_id, ev.ts, attribution.qa_delta(self.layout, ev)
        )

    def _pulse(self, ev: TeamPulse) -> None:
        key = (ev.site, ev.team, ev.metric)
        rows = self.state.tables["p"]
        current = rows.get(key)
        candidate = [ev.ts, ev.value, ev.respondents]
        # Latest by event time; ties broken by value, then respondents, so arrival order never
        # matters (comparing the whole [ts, value, respondents] record is a total order).
        if current is None or candidate > current:
            self.state.touch("p", key)
            rows[key] = candidate

    # --- checkpoint support ---

    def checkpoint(self, offset: int) -> Checkpoint:
        """Changes since the last checkpoint, valid for all events up to ``offset``."""
        return Checkpoint(offset, dict(self.watermarks), dict(self.counters), self.state.changes())

    def restore(self, items: Iterable[tuple[bytes, bytes]], last: Checkpoint | None) -> int:
        """Load the keyed table, then re-apply the last checkpoint over it (see state.py).

        Returns the offset the state is exact at (-1 for an empty state).
        """
        self.state.load(items)
        if last is None:
            return -1
        self.state.load(last.changes)
        self.watermarks = dict(last.watermarks)
        self.counters = Counter(last.counters)
        self._seen = {event_id for ids in self.state.tables["d"].values() for event_id in ids}
        for table in TIMED_TABLES:
            for key in self.state.tables[table]:
                self.expiry.add(table, key)
        agents.index_pending(self)
        self._last_offset = last.offset
        return last.offset
