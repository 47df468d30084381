"""The KPI engine: applies canonical events to additive state for one partition of the stream.

Pure Python, no Kafka. The streaming layer runs one engine per source partition; the offline
report runs one for a whole file. Reads live in ``read.py``; agent timelines in ``agents.py``;
survey and QA attribution in ``attribution.py``; cell vectors in ``cells.py``; what each state
table holds in ``tables.py``.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from operator import add, attrgetter
from typing import Any, Final, Literal

from floorboard.config import ChannelSettings, Config
from floorboard.engine.abandons import AbandonLog
from floorboard.engine.agents import AgentTimelines
from floorboard.engine.attribution import Attribution
from floorboard.engine.calendar import BusinessCalendar
from floorboard.engine.cells import CellBuckets
from floorboard.engine.expiry import ExpiryIndex
from floorboard.engine.layout import Layout
from floorboard.engine.live import LiveQueues
from floorboard.engine.state import Checkpoint, Key, KeyedState
from floorboard.engine.tables import (
    ABANDONS,
    AGENT_BASE,
    AGENT_CHUNKS,
    AGENT_QUALITY,
    AGENT_RECENT,
    AGENTS,
    BACKLOG,
    CELL_MINUTES,
    CELL_QUARTERS,
    CONTACT_LAST_TS,
    CONTACTS,
    ENTRY_TS,
    EXITS,
    PULSE,
    RANK_ANSWERED,
    RANK_OFFERED,
    SEEN_IDS,
    TABLES,
    TEAM_MINUTES,
    TEAM_QUARTERS,
    TIMED_TABLES,
    TRANSITION_TEAM,
    WAITING,
)
from floorboard.engine.week import WeekCells
from floorboard.engine.windows import (
    HOUR_MS,
    MINUTE_MS,
    QUARTER_MS,
    WEEK_KEPT_MS,
    Tier,
    bucket_ceil,
    bucket_start,
    retention_ms,
)
from floorboard.events.model import (
    ASYNC_CHANNELS,
    EVENT_TYPES,
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

Outcome = Literal[
    "applied",
    "duplicate",
    "too_late",
    "from_future",
    "unknown_site",
    "unknown_queue",
    "too_many_teams",
]
# Outcomes that refuse the event: the worker dead-letters them, the report lists them.
REFUSED: Final[frozenset[str]] = frozenset(
    {"too_late", "from_future", "unknown_site", "unknown_queue", "too_many_teams"}
)

# The event types that name a queue, and a team: ``apply`` bounds those names. Compiled, getattr
# with a default raises and clears an AttributeError for the other types: 6 % of an event's cost.
_QUEUED: Final[frozenset[type]] = frozenset(
    t for t in EVENT_TYPES if "queue" in t.__struct_fields__
)
_TEAMED: Final[frozenset[type]] = frozenset(t for t in EVENT_TYPES if "team" in t.__struct_fields__)
_queue_of: Final = attrgetter("queue")
_team_of: Final = attrgetter("team")


# Synchronous contacts waiting longer than this are treated as lost feed events, not waiting.
MAX_SYNC_WAIT_MS: Final = 4 * 3600 * 1000


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
    def __init__(self, config: Config, clock: Callable[[], float] = time.time) -> None:
        """``clock`` is the wall clock in epoch seconds: no event may be ahead of it by more
        than ``engine.max_future_skew_s``."""
        self.config = config
        self.layout = Layout(config.wait_bounds_ms, config.handle_bounds_ms)
        self.state = KeyedState(TABLES)
        self.watermarks: dict[str, int] = {}  # updated in place: the agent timelines read it
        # Outcome counts (read them as ``counters``). Applied events, nearly all of them, are
        # an int apart: a Counter increment costs five times as much on every event.
        self._counts: Counter[str] = Counter()
        self._applied = 0
        self.lateness_ms = config.engine.allowed_lateness_s * 1000
        self._clock = clock
        self._skew_ms = config.engine.max_future_skew_s * 1000
        self._future_ms = -1  # wall clock + skew when last read: only later events read it again
        self._short_ms = config.engine.short_abandon_s * 1000
        self._dedup_ms = config.engine.dedup_ttl_s * 1000
        self._contact_ttl_ms = config.engine.contact_ttl_s * 1000
        self._minutes_kept_ms = retention_ms(Tier.MINUTE, self.lateness_ms)
        self._quarters_kept_ms = retention_ms(Tier.QUARTER, self.lateness_ms)
        self._sites = config.sites
        self._seen: set[str] = set()
        # The SEEN_IDS list of the latest event's site and second (see _ids_of).
        self._ids: list[str] = []
        self._ids_second = -1
        self._ids_site = ""
        self._expiry = ExpiryIndex()
        # Per site: the first minute and quarter bucket still kept, set by ``_advance``.
        self._kept: dict[str, tuple[int, int]] = {}
        self._cells = CellBuckets(self.state, self._expiry, self.layout, self._kept)
        self._agents = AgentTimelines(
            self.state, self._expiry, self.watermarks, self.lateness_ms, self._kept
        )
        self.live = LiveQueues()  # the WAITING and BACKLOG entries counted per queue, for reads
        self._attribution = Attribution(self.state, self._expiry, self.layout, self._cells)
        self.week = WeekCells(self.state, self._expiry)
        self._week_kept_ms = WEEK_KEPT_MS + self.lateness_ms
        self._abandons = AbandonLog(
            self.state,
            self._expiry,
            {site: s.zone for site, s in config.sites.items()},
            config.engine.abandoned_list_max,
        )
        self._last_offset = -1
        # Queue names a site accepts: its configured ones, plus at most
        # limits.max_unknown_queues others (first come), so invented names cannot grow state,
        # snapshots or series without bound.
        self._queues: dict[str, set[str]] = {
            site: set(s.queues) for site, s in config.sites.items()
        }
        self._queue_bound = {
            site: len(s.queues) + config.limits.max_unknown_queues
            for site, s in config.sites.items()
        }
        # Teams are not configured: at most limits.max_teams_per_site names per site (first
        # come), for the same reason.
        self._teams: dict[str, set[str]] = {site: set() for site in config.sites}
        self._team_bound = config.limits.max_teams_per_site
        self._calendars = {
            site: BusinessCalendar(s.business_hours, s.zone) for site, s in config.sites.items()
        }
        self._settings: dict[tuple[str, str, str], ChannelSettings] = {}
        self._sl_ms: dict[tuple[str, str, str], int] = {}
        # Hot paths reach these tables and dirty sets directly (KeyedState only mutates them).
        tables, dirty = self.state.tables, self.state.dirty
        self._seen_ids, self._dirty_seen_ids = tables[SEEN_IDS], dirty[SEEN_IDS]
        self._exits, self._dirty_exits = tables[EXITS], dirty[EXITS]
        self._ix = _HandlerIndexes(self.layout)
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
            AgentState: self._agents.record,
            SurveyResponse: self._attribution.survey,
            QaEvaluation: self._attribution.qa,
            TeamPulse: self._pulse,
        }

    # --- entry points ---

    def apply(self, event: Event, offset: int | None = None) -> Outcome:
        """Apply one event. ``offset`` is its position in the source partition (default: next)."""
        if offset is None:
            offset = self._last_offset + 1
        elif offset <= self._last_offset:
            # Offsets only grow within a partition: this event is already in the state.
            self._counts["redelivered"] += 1
            return "duplicate"
        self._last_offset = offset
        site, ts = event.site, event.ts
        if site not in self._sites:
            self._counts["unknown_site"] += 1
            return "unknown_site"
        kind = type(event)
        if kind in _QUEUED:
            queue = _queue_of(event)
            queues = self._queues[site]
            if queue not in queues:
                if len(queues) >= self._queue_bound[site]:
                    self._counts["unknown_queue"] += 1
                    return "unknown_queue"
                queues.add(queue)
        if kind in _TEAMED:
            team = _team_of(event)
            teams = self._teams[site]
            if team not in teams:
                if len(teams) >= self._team_bound:
                    self._counts["too_many_teams"] += 1
                    return "too_many_teams"
                teams.add(team)
        wm = self.watermarks.get(site)
        if wm is not None and ts < wm - self.lateness_ms:
            self._counts["too_late"] += 1
            return "too_late"
        if ts > self._future_ms:
            self._future_ms = int(self._clock() * 1000) + self._skew_ms
            if ts > self._future_ms:
                self._counts["from_future"] += 1
                return "from_future"
        event_id = event.id
        seen = self._seen
        known = len(seen)
        seen.add(event_id)  # one probe of a large set instead of a lookup and an add
        if len(seen) == known:
            self._counts["duplicate"] += 1
            return "duplicate"
        second = ts - ts % 1000
        if second != self._ids_second or site != self._ids_site:
            self._ids_of(site, second)
        self._ids.append(event_id)
        if wm is None or ts > wm:
            self.watermarks[site] = ts
            if wm is None or ts // MINUTE_MS != wm // MINUTE_MS:
                self._advance(site, wm, ts)
        self._handlers[kind](event)
        self._applied += 1
        return "applied"

    @property
    def counters(self) -> Counter[str]:
        """Events by outcome (``applied``, ``duplicate``, ``too_late`` …) and rejections counted
        before the engine (``rejected:<reason>``): a copy."""
        out = Counter(self._counts)
        if self._applied:
            out["applied"] = self._applied
        return out

    def _ids_of(self, site: str, second: int) -> None:
        """Make the site's ids of ``second`` the list ``apply`` appends to, marked changed.

        Most events fall in the second of the one before, so ``apply`` reuses the list until
        the second changes or ``_forget_marks`` is called.
        """
        # Per-second keys keep each checkpointed value small at high event rates.
        key = (site, second)
        self._dirty_seen_ids.add(key)
        ids = self._seen_ids.get(key)
        if ids is None:
            ids = self._seen_ids[key] = []
            self._expiry.add(SEEN_IDS, key)
        self._ids, self._ids_second, self._ids_site = ids, second, site

    def _forget_marks(self) -> None:
        """The next events look what they change up again, and mark it changed: after a
        checkpoint took the changed keys, a restore replaced the rows, or housekeeping deleted
        some."""
        self._ids_second = -1
        self._cells.forget_marks()
        self._agents.forget_marks()

    def apply_all(self, events: Iterable[Event]) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        for event in events:
            outcomes[self.apply(event)] += 1
        return outcomes

    def restart_source(self, offset: int) -> None:
        """The source starts over at engine offset ``offset`` (a recreated topic): events from
        there on are new, and the state so far is kept. Counted as ``source_resets``."""
        self._last_offset = offset - 1
        self._counts["source_resets"] += 1

    def count_rejected(self, reason: str, count: int = 1) -> None:
        """Count events rejected before they reached the engine (decode or validation)."""
        self._counts[f"rejected:{reason}"] += count

    def _restore_teams(self) -> None:
        """The team names the state holds count against limits.max_teams_per_site again."""
        tables = self.state.tables
        found = [(key[0], key[3]) for t in (CELL_MINUTES, CELL_QUARTERS) for key in tables[t]]
        for table in (TEAM_MINUTES, TEAM_QUARTERS, AGENT_QUALITY, PULSE):
            found.extend((key[0], key[1]) for key in tables[table])
        for (site, _agent), record in tables[AGENTS].items():
            latest = [*([record[AGENT_BASE]] if record[AGENT_BASE] else []), *record[AGENT_RECENT]]
            found.extend((site, t[TRANSITION_TEAM]) for t in latest)
        for (site, _agent, _minute), chunk in tables[AGENT_CHUNKS].items():
            found.extend((site, t[TRANSITION_TEAM]) for t in chunk)
        for site, team in found:
            if team:
                self._teams.setdefault(site, set()).add(team)

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

    # --- watermark housekeeping: roll-up, eviction, sweep ---

    def _bounds(self, wm: int) -> tuple[int, int]:
        """The first minute and quarter bucket kept at watermark ``wm``. Of the watermark's minute
        only, so they hold until the next ``_advance`` and a restore computes them again."""
        minute = bucket_start(wm, Tier.MINUTE)
        return (
            bucket_ceil(minute - self._minutes_kept_ms, Tier.MINUTE),
            bucket_ceil(minute - self._quarters_kept_ms, Tier.QUARTER),
        )

    def _advance(self, site: str, previous: int | None, wm: int) -> None:
        """Housekeeping once the site's watermark enters a new minute; the sweep once an hour."""
        self._kept[site] = minute_lo, quarter_lo = self._bounds(wm)
        self._roll_up(site, minute_lo)
        self._evict(site, wm, quarter_lo)
        if previous is None or wm // HOUR_MS != previous // HOUR_MS:
            self._sweep(site, wm)  # contacts live for days: once an hour is enough
        self._forget_marks()  # the roll-up and eviction deleted keys

    def _roll_up(self, site: str, horizon: int) -> None:
        """Move the site's minute buckets before ``horizon`` into their quarter buckets."""
        for minutes, quarters in ((CELL_MINUTES, CELL_QUARTERS), (TEAM_MINUTES, TEAM_QUARTERS)):
            for key in self._expiry.pop_before(minutes, site, horizon):
                self._roll_up_bucket(minutes, quarters, key)

    def _roll_up_bucket(self, minutes: str, quarters: str, key: Key) -> None:
        """Move one minute bucket into its quarter bucket (dropped if all zero)."""
        vector = self.state.tables[minutes].get(key)
        self.state.delete(minutes, key)
        if vector is None or not any(vector):
            return
        bucket = key[-1]
        target_key = (*key[:-1], bucket - bucket % QUARTER_MS)
        rows = self.state.tables[quarters]
        self.state.dirty[quarters].add(target_key)
        target = rows.get(target_key)
        if target is None:
            rows[target_key] = list(vector)
            self._expiry.add(quarters, target_key)
        else:
            target[:] = map(add, target, vector)  # in C: most of a vector is zeros

    def _evict(self, site: str, wm: int, quarter_horizon: int) -> None:
        """Drop the site's quarter buckets before ``quarter_horizon``, week buckets and event ids
        past their time behind watermark ``wm``."""
        # A day's abandons go once the whole day is past every window (keys: local midnight).
        for table in (TEAM_QUARTERS, AGENT_QUALITY, ABANDONS):
            self.state.delete_all(table, self._expiry.pop_before(table, site, quarter_horizon))
        # Cell quarters move to the week table, for "last week at this time".
        self.week.archive(self._expiry.pop_before(CELL_QUARTERS, site, quarter_horizon))
        self.week.evict(site, wm - self._week_kept_ms)
        for key in self._expiry.pop_before(SEEN_IDS, site, wm - self._dedup_ms):
            self._seen.difference_update(self._seen_ids.get(key, ()))
            self.state.delete(SEEN_IDS, key)

    def _sweep(self, site: str, wm: int) -> None:
        """Forget the site's contacts, queue entries and agents idle past the contact TTL, and
        its queue exits older than the lateness."""
        horizon = wm - self._contact_ttl_ms
        self._delete_before(CONTACTS, site, CONTACT_LAST_TS, horizon)
        # An exit time only matters to entries at or before it, and those are too late once it
        # is older than the lateness.
        closed_before = wm - self.lateness_ms
        stale = [k for k, ts in self._exits.items() if k[0] == site and ts < closed_before]
        self.state.delete_all(EXITS, stale)
        for table in (WAITING, BACKLOG):  # entries whose exit was never seen
            for key, entry in self._delete_before(table, site, ENTRY_TS, horizon):
                self.live.remove(table, key, entry)
        self._agents.expire(site, horizon)

    def _delete_before(self, table: str, site: str, field: int, horizon: int) -> list[Any]:
        """Delete the site's records in ``table`` whose time ``field`` is before ``horizon``;
        returns them as (key, record)."""
        rows = self.state.tables[table]
        stale = [(k, rec) for k, rec in rows.items() if k[0] == site and rec[field] < horizon]
        self.state.delete_all(table, [k for k, _ in stale])
        return stale

    # --- live queue entries ---

    # Entering and leaving a queue are last-writer-wins by event time: an entry is open iff the
    # contact's latest entry into that queue is after its latest exit (an exit at the same
    # instant wins). So any arrival order of a contact's legs, including a transfer back into a
    # queue it left before, leaves the same live queue.

    def _open(
        self, table: str, site: str, contact_id: str, queue: str, channel: str, ts: int
    ) -> None:
        closed = self._exits.get((site, contact_id, queue, table))
        if closed is not None and closed >= ts:
            return  # closed by an event at or after this one that arrived first
        key = (site, contact_id, queue)
        rows = self.state.tables[table]
        current = rows.get(key)
        if current is not None:
            if current[ENTRY_TS] >= ts:
                return  # a later entry into this queue is already open
            self.live.remove(table, key, current)
        self.state.dirty[table].add(key)
        rows[key] = entry = [channel, ts]  # fields as in tables.py
        self.live.add(table, key, entry)

    def _close(self, table: str, site: str, contact_id: str, queue: str, ts: int) -> None:
        key = (site, contact_id, queue)
        rows = self.state.tables[table]
        current = rows.get(key)
        if current is not None and current[ENTRY_TS] <= ts:
            self.state.dirty[table].add(key)
            del rows[key]
            self.live.remove(table, key, current)
        tomb = (site, contact_id, queue, table)
        closed = self._exits.get(tomb)
        if closed is None or ts > closed:
            self._dirty_exits.add(tomb)
            self._exits[tomb] = ts

    # --- contact lifecycle handlers ---

    def _offered(self, ev: ContactOffered) -> None:
        site, contact_id, queue, channel, ts = ev.site, ev.contact_id, ev.queue, ev.channel, ev.ts
        self._cells.minute_vector(site, queue, channel, "", ts)[self._ix.offered] += 1
        self._open(WAITING, site, contact_id, queue, channel, ts)
        if channel in ASYNC_CHANNELS:
            self._open(BACKLOG, site, contact_id, queue, channel, ts)
        self._attribution.observe_contact(
            site, contact_id, queue, channel, "", "", ts, RANK_OFFERED
        )

    def _answered(self, ev: ContactAnswered) -> None:
        site, queue, channel, ts = ev.site, ev.queue, ev.channel, ev.ts
        wait_ms = round(ev.wait_s * 1000)
        answered, wait_sum, within, hist = self._ix.answered
        vector = self._cells.minute_vector(site, queue, channel, ev.team, ts)
        vector[answered] += 1
        vector[wait_sum] += wait_ms
        vector[within] += wait_ms <= self._sl_threshold_ms(site, queue, channel)
        vector[hist + bisect_left(self._ix.wait_bounds, wait_ms)] += 1
        self._close(WAITING, site, ev.contact_id, queue, ts)
        self._attribution.observe_contact(
            site, ev.contact_id, queue, channel, ev.team, ev.agent, ts, RANK_ANSWERED
        )

    def _abandoned(self, ev: ContactAbandoned) -> None:
        site, queue, channel, ts = ev.site, ev.queue, ev.channel, ev.ts
        wait_ms = round(ev.wait_s * 1000)
        abandoned, wait_sum, within, short, hist = self._ix.abandoned
        vector = self._cells.minute_vector(site, queue, channel, "", ts)
        vector[abandoned] += 1
        vector[wait_sum] += wait_ms
        vector[within] += wait_ms <= self._sl_threshold_ms(site, queue, channel)
        vector[short] += wait_ms <= self._short_ms
        vector[hist + bisect_left(self._ix.wait_bounds, wait_ms)] += 1
        self._close(WAITING, site, ev.contact_id, queue, ts)
        if channel in ASYNC_CHANNELS:
            self._close(BACKLOG, site, ev.contact_id, queue, ts)
        self._abandons.record(site, queue, channel, ts, wait_ms)

    def _callback(self, ev: ContactCallbackRequested) -> None:
        self._cells.minute_vector(ev.site, ev.queue, ev.channel, "", ev.ts)[self._ix.callbacks] += 1
        self._close(WAITING, ev.site, ev.contact_id, ev.queue, ev.ts)

    def _transferred(self, ev: ContactTransferred) -> None:
        vector = self._cells.minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[self._ix.transferred] += 1
        self._close(WAITING, ev.site, ev.contact_id, ev.queue, ev.ts)
        if ev.channel in ASYNC_CHANNELS:
            self._close(BACKLOG, ev.site, ev.contact_id, ev.queue, ev.ts)

    def _ended(self, ev: ContactEnded) -> None:
        talk, hold = round(ev.talk_s * 1000), round(ev.hold_s * 1000)
        handled, talk_sum, hold_sum, hist = self._ix.ended
        vector = self._cells.minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[handled] += 1
        vector[talk_sum] += talk
        vector[hold_sum] += hold
        vector[hist + bisect_left(self._ix.handle_bounds, talk + hold)] += 1

    def _wrapup(self, ev: ContactWrapupEnded) -> None:
        acw = round(ev.acw_s * 1000)
        wrapups, acw_sum, hist = self._ix.wrapup
        vector = self._cells.minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[wrapups] += 1
        vector[acw_sum] += acw
        vector[hist + bisect_left(self._ix.handle_bounds, acw)] += 1

    def _first_response(self, ev: ContactFirstResponse) -> None:
        calendar = self._calendars[ev.site]
        sla = self.channel_settings(ev.site, ev.queue, ev.channel).response_sla
        within = sla is not None and calendar.within_sla(sla, ev.received_ts, ev.ts)
        count, elapsed, business, within_sla = self._ix.first_response
        vector = self._cells.minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[count] += 1
        vector[elapsed] += ev.ts - ev.received_ts
        vector[business] += calendar.business_ms(ev.received_ts, ev.ts)
        vector[within_sla] += within
        self._close(WAITING, ev.site, ev.contact_id, ev.queue, ev.ts)

    def _resolved(self, ev: ContactResolved) -> None:
        resolved, resolve_sum = self._ix.resolved
        vector = self._cells.minute_vector(ev.site, ev.queue, ev.channel, ev.team, ev.ts)
        vector[resolved] += 1
        vector[resolve_sum] += ev.ts - ev.received_ts
        self._close(BACKLOG, ev.site, ev.contact_id, ev.queue, ev.ts)

    # --- team pulse ---

    def _pulse(self, ev: TeamPulse) -> None:
        key = (ev.site, ev.team, ev.metric)
        rows = self.state.tables[PULSE]
        current = rows.get(key)
        candidate = [ev.ts, ev.value, ev.respondents]  # fields as in tables.py
        # Latest by event time; ties broken by value, then respondents, so arrival order never
        # matters (comparing the whole [ts, value, respondents] record is a total order).
        if current is None or candidate > current:
            self.state.touch(PULSE, key)
            rows[key] = candidate

    # --- checkpoint support ---

    def checkpoint(self, offset: int) -> Checkpoint:
        """Changes since the last checkpoint, valid for all events up to ``offset``."""
        self._forget_marks()  # what changes next must be marked changed again
        return Checkpoint(offset, dict(self.watermarks), dict(self.counters), self.state.changes())

    def restore(self, items: Iterable[tuple[bytes, bytes]], last: Checkpoint | None) -> int:
        """Load a new engine's keyed table, then re-apply the last checkpoint over it (see
        state.py).

        Returns the offset the state is exact at (-1 for an empty state).
        """
        self.state.load(items)
        self._forget_marks()
        if last is None:
            return -1
        self.state.load(last.changes)
        self.watermarks.update(last.watermarks)
        self._counts = Counter(last.counters)
        self._applied = self._counts.pop("applied", 0)
        self._seen = {event_id for ids in self._seen_ids.values() for event_id in ids}
        for table in TIMED_TABLES:
            for key in self.state.tables[table]:
                self._expiry.add(table, key)
        for table in (CELL_MINUTES, CELL_QUARTERS):
            for site, queue, *_ in self.state.tables[table]:
                self._queues.setdefault(site, set()).add(queue)
        self._restore_teams()
        for site, wm in self.watermarks.items():
            self._kept[site] = self._bounds(wm)
        self.live.rebuild(self.state.tables)
        self._last_offset = last.offset
        return last.offset
