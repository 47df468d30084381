"""Reading an engine: window sums, live queues and agents as snapshot records. Never changes the
engine's state (reading the live-queue index only moves its cut, live.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Hashable
from typing import cast
from weakref import WeakKeyDictionary

from floorboard.engine import agents
from floorboard.engine.engine import MAX_SYNC_WAIT_MS, Engine
from floorboard.engine.layout import (
    AGENT_QUALITY_FIELDS,
    AGENT_TIME_FIELDS,
    AGENT_TIME_INDEX,
    Layout,
    Vector,
)
from floorboard.engine.pseudonyms import DISPLAY, QUALITY, local_day, pseudonym
from floorboard.engine.snapshot import (
    AgentLive,
    AgentRoster,
    Pulse,
    QueueSnapshot,
    Snapshot,
    SourceStatus,
    TeamSnapshot,
)
from floorboard.engine.state import KeyedState
from floorboard.engine.tables import (
    AGENT_CHUNKS,
    AGENT_QUALITY,
    AGENTS,
    CELL_MINUTES,
    CELL_QUARTERS,
    PULSE,
    PULSE_RESPONDENTS,
    PULSE_TS,
    PULSE_VALUE,
    TEAM_MINUTES,
    TEAM_QUARTERS,
    TRANSITION_STATE,
    TRANSITION_TEAM,
)
from floorboard.engine.window_sums import Sums, WindowSums, sum_windows
from floorboard.engine.windows import MINUTE_MS, WINDOWS, Span, Tier, Window, window_span

CellKey = tuple[str, str, str, str]


def layout_id(layout: Layout) -> str:
    """Short fingerprint of the vector layout; readers refuse records of another layout."""
    text = repr((layout.wait_bounds_ms, layout.handle_bounds_ms, layout.size))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _spans(engine: Engine, now: int) -> dict[str, dict[Window, Span]]:
    return {
        site: {w: window_span(w, now, cfg.zone) for w in WINDOWS}
        for site, cfg in engine.config.sites.items()
    }


class _Reads:
    """What reads of one engine keep between them: window sums by difference (window_sums.py)."""

    def __init__(self, engine: Engine) -> None:
        self.cells = WindowSums(_cell_groups, engine.layout.size)
        self.team_time = WindowSums(_team_group, len(AGENT_TIME_FIELDS))
        self.agent_quality = WindowSums(_agent_group, len(AGENT_QUALITY_FIELDS))
        # Each site's quality pseudonyms of its current local day, by agent.
        self._names: dict[str, tuple[dt.date, dict[str, str]]] = {}

    def quality_names(self, site: str, day: dt.date) -> dict[str, str]:
        """The site's quality pseudonyms of ``day`` so far, by agent (the day's alone)."""
        held = self._names.get(site)
        if held is None or held[0] != day:
            held = self._names[site] = (day, {})
        return held[1]


# Keyed by the engine's state: a compiled Engine takes no weak reference; KeyedState stays
# interpreted (deploy/compile-engine.sh).
_READS: WeakKeyDictionary[KeyedState, _Reads] = WeakKeyDictionary()


def _reads(engine: Engine) -> _Reads:
    reads = _READS.get(engine.state)
    if reads is None:
        reads = _READS[engine.state] = _Reads(engine)
    return reads


def _cell_groups(key: tuple[object, ...]) -> tuple[Hashable, ...]:
    site, queue, channel, team = key[:4]
    if not team:  # e.g. the unattributed cell: surveys only
        return (("queue", site, queue, channel),)
    return (("queue", site, queue, channel), ("team", site, team), ("cell", *key[:4]))


def _queue_group(key: tuple[object, ...]) -> tuple[Hashable, ...]:
    # (site, queue, channel); the unattributed cell (no queue, surveys only) is in no queue.
    return (key[:3],) if key[1] else ()


def _team_group(key: tuple[object, ...]) -> tuple[Hashable, ...]:
    return (key[:2],)  # (site, team)


def _agent_group(key: tuple[object, ...]) -> tuple[Hashable, ...]:
    return (key[:3],)  # (site, team, agent)


def _cell_sums(engine: Engine, now: int) -> Sums:
    """Window sums of the cell buckets per queue ("queue", site, queue, channel), team ("team",
    site, team) and, for cells with a team, cell ("cell", site, queue, channel, team)."""
    tables = engine.state.tables
    rows = {Tier.MINUTE: tables[CELL_MINUTES], Tier.QUARTER: tables[CELL_QUARTERS]}
    return _reads(engine).cells.read(rows, _spans(engine, now))


def day_intervals(
    engine: Engine, now: int, minutes: int = 30
) -> dict[tuple[str, str, str], dict[int, Vector]]:
    """Each queue's (site, queue, channel) vector per local interval of ``minutes`` from local
    midnight up to the interval containing ``now``: the day's interval table. Summed over teams
    from the same buckets the windows read."""
    spans: dict[str, dict[int, Span]] = {}
    for site, cfg in engine.config.sites.items():
        today = window_span(Window.TODAY, now, cfg.zone)
        step = minutes * MINUTE_MS
        spans[site] = {
            start: Span(Tier.QUARTER, start, start + step)
            for start in range(today.start, today.end, step)
        }
    tables = engine.state.tables
    rows = {Tier.MINUTE: tables[CELL_MINUTES], Tier.QUARTER: tables[CELL_QUARTERS]}
    out = sum_windows(rows, spans, _queue_group)
    return cast(dict[tuple[str, str, str], dict[int, Vector]], out)


def team_agent_time(engine: Engine, now: int) -> dict[tuple[str, str], dict[str, Vector]]:
    """Time in state per team: the buckets hold every closed segment, and each agent's open
    segment runs to ``now``. A window counts the time in ``[span.start, min(span.end, now))``:
    exact for any ``now`` from watermark − lateness on (an earlier read may count closed time
    after ``now`` that is in the base already), and windows from there never reach back past
    the buckets kept."""
    spans = _spans(engine, now)
    tables = engine.state.tables
    size = len(AGENT_TIME_FIELDS)
    rows = {Tier.MINUTE: tables[TEAM_MINUTES], Tier.QUARTER: tables[TEAM_QUARTERS]}
    out: dict[tuple[str, str], dict[str, Vector]] = defaultdict(dict)
    for team, windows in _reads(engine).team_time.read(rows, spans).items():
        # copies: the open segments go in
        out[cast(tuple[str, str], team)] = {w: list(v) for w, v in windows.items()}
    bounds = {
        site: [(window, span.start, span.end) for window, span in by_window.items()]
        for site, by_window in spans.items()
    }
    # One open segment per agent, and any closed time after ``now`` (a read before the agent's
    # last transition) taken out again.
    chunks = tables[AGENT_CHUNKS]
    for key, rec in tables[AGENTS].items():
        site = key[0]
        for here, start, end, sign in agents.open_segments(chunks, key, rec, now):
            slot = AGENT_TIME_INDEX.get(here[TRANSITION_STATE])
            if slot is None:
                continue
            windows = out[(site, here[TRANSITION_TEAM])]
            for window, lo, hi in bounds[site]:
                total = min(end, hi) - max(start, lo)
                if total > 0:
                    vector = windows.get(window)
                    if vector is None:
                        vector = windows[window] = [0] * size
                    vector[slot] += sign * total
    # A window holds time iff it is not all zero, whichever order the events came in.
    return {
        team: held
        for team, windows in out.items()
        if (held := {w: v for w, v in windows.items() if any(v)})
    }


def snapshot(engine: Engine, now: int, source: str) -> list[Snapshot]:
    """Every queue and team record of this engine at ``now``, plus its status record."""
    lid = layout_id(engine.layout)
    queues: dict[tuple[str, str, str], dict[str, Vector]] = {}
    teams: dict[tuple[str, str], dict[str, Vector]] = {}
    answered: dict[tuple[str, str], dict[str, list[tuple[str, str, int]]]] = defaultdict(dict)
    answered_slot = engine.layout.index["answered"]
    for group, windows in _cell_sums(engine, now).items():
        kind, site, *names = cast(tuple[str, ...], group)
        if kind == "queue":
            queues[(site, names[0], names[1])] = windows
        elif kind == "team":
            teams[(site, names[0])] = windows
        else:
            queue, channel, team = names
            for window, vector in windows.items():
                if vector[answered_slot]:
                    answered[(site, team)].setdefault(window, []).append(
                        (queue, channel, vector[answered_slot])
                    )
    # Synchronous contacts waiting past MAX_SYNC_WAIT_MS are lost answer or abandon events.
    live = engine.live.read(now - MAX_SYNC_WAIT_MS)
    records: list[Snapshot] = []
    for key in sorted(set(queues) | set(live)):
        site, queue, channel = key
        waiting, oldest, backlog, oldest_open = live.get(key, (0, None, 0, None))
        records.append(
            QueueSnapshot(
                source=source,
                as_of=now,
                layout=lid,
                site=site,
                queue=queue,
                channel=channel,
                windows=queues.get(key, {}),
                waiting=waiting,
                oldest_wait_ts=oldest,
                backlog=backlog,
                oldest_open_ts=oldest_open,
            )
        )
    agent_time = team_agent_time(engine, now)
    roster = _roster(engine, now)
    quality = _agent_quality_today(engine, now)
    pulse: dict[tuple[str, str], dict[str, Pulse]] = defaultdict(dict)
    for (site, team, metric), rec in engine.state.tables[PULSE].items():
        pulse[(site, team)][metric] = Pulse(rec[PULSE_TS], rec[PULSE_VALUE], rec[PULSE_RESPONDENTS])
    team_keys = set(teams) | set(roster) | set(pulse) | {k for k, v in agent_time.items() if v}
    for site, team in sorted(team_keys):
        on_floor = roster.get((site, team), [])
        states: dict[str, int] = defaultdict(int)
        for a in on_floor:
            states[a.state] += 1
        records.append(
            TeamSnapshot(
                source=source,
                as_of=now,
                layout=lid,
                site=site,
                team=team,
                windows=teams.get((site, team), {}),
                agent_time={str(w): v for w, v in agent_time.get((site, team), {}).items()},
                on_floor=dict(sorted(states.items())),
                skills=sorted({q for a in on_floor for q in a.queues}),
                agent_quality=quality.get((site, team), {}),
                pulse=pulse.get((site, team), {}),
                # sorted, so records are the same in any arrival order
                answered_queues={
                    w: sorted(rows) for w, rows in answered.get((site, team), {}).items()
                },
            )
        )
        if on_floor:
            records.append(
                AgentRoster(source=source, as_of=now, layout=lid, site=site, team=team,
                            agents=_shown(engine, on_floor, site, now))
            )  # fmt: skip
    records.append(
        SourceStatus(
            source=source,
            as_of=now,
            layout=lid,
            watermarks=dict(engine.watermarks),
            counters=dict(engine.counters),
        )
    )
    return records


def _roster(engine: Engine, now: int) -> dict[tuple[str, str], list[AgentLive]]:
    """Logged-in agents by (site, team), in agent order."""
    roster: dict[tuple[str, str], list[AgentLive]] = defaultdict(list)
    for a in agents.live(engine.state.tables[AGENTS], engine.state.tables[AGENT_CHUNKS]):
        if a.state != "logged_out":
            roster[(a.site, a.team)].append(
                AgentLive(a.agent, a.state, a.reason, a.since, a.queues)
            )
    for team in roster.values():
        team.sort(key=lambda a: a.agent)
    return roster


def _shown(engine: Engine, roster: list[AgentLive], site: str, now: int) -> list[AgentLive]:
    """The roster as published: in works-council mode only the day's pseudonym and the state."""
    privacy = engine.config.privacy
    if not privacy.works_council:
        return roster
    day = local_day(now, engine.config.sites[site].zone)
    shown = [
        AgentLive(pseudonym(privacy.agent_key, DISPLAY, site, a.agent, day), a.state, "", 0)
        for a in roster
    ]
    return sorted(shown, key=lambda a: a.agent)


def _agent_quality_today(engine: Engine, now: int) -> dict[tuple[str, str], dict[str, list[int]]]:
    """Each agent's quality sums of the local day, by team and under the day's pseudonym. An
    agent whose responses all moved on (a transfer re-attributed them) has nothing left to show
    and is left out, like empty windows, so records are the same in any arrival order."""
    reads = _reads(engine)
    today = {
        site: {Window.TODAY: window_span(Window.TODAY, now, cfg.zone)}
        for site, cfg in engine.config.sites.items()
    }
    rows = {Tier.QUARTER: engine.state.tables[AGENT_QUALITY]}
    days = {site: local_day(now, cfg.zone) for site, cfg in engine.config.sites.items()}
    names = {site: reads.quality_names(site, day) for site, day in days.items()}
    key = engine.config.privacy.agent_key
    out: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(dict)
    for group, windows in reads.agent_quality.read(rows, today).items():
        site, team, agent = cast(tuple[str, str, str], group)
        name = names[site].get(agent)
        if name is None:  # an HMAC per agent and day, not per read
            name = names[site][agent] = pseudonym(key, QUALITY, site, agent, days[site])
        out[(site, team)][name] = windows[Window.TODAY]
    return out


def clock(engine: Engine, wall_ms: int) -> int:
    """Read time: wall clock, or the newest event time when a replay or simulation runs ahead."""
    latest = max(engine.watermarks.values(), default=wall_ms)
    return max(wall_ms, latest)
