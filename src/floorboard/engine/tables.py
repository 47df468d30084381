"""What the engine's keyed state holds: table names and the fields of the list records in them.

All of it is persisted: every checkpoint key carries its table's name, and records are stored as
msgpack lists. Renaming a table or moving a field changes the checkpoint format, so bump
``FORMAT`` with it; a restore ignores checkpoints of another format (docs/architecture.md).
Records stay plain lists indexed by the constants below: the hot path cannot afford objects.
The constants are ``Final``: the compiled engine inlines them instead of looking one up in the
module's dict at every use (7 % of an event's instructions).
"""

from __future__ import annotations

from typing import Final

# 1: single-letter table names, before checkpoints carried a format. 2: before ABANDONS and
# WEEK_QUARTERS. 3: team time buckets held only agent time older than the lateness. 4: agent
# records held all their pending transitions.
FORMAT: Final = 5

# Keys and values; docs/architecture.md lists them too.
# (site, queue, channel, team, minute) -> cell vector (layout.py)
CELL_MINUTES: Final = "cell_minutes"
CELL_QUARTERS: Final = "cell_quarters"  # (site, queue, channel, team, quarter) -> cell vector
# (site, team, minute) -> ms per agent state (AGENT_TIME_FIELDS)
TEAM_MINUTES: Final = "team_minutes"
TEAM_QUARTERS: Final = "team_quarters"  # (site, team, quarter) -> ms per agent state
AGENT_QUALITY: Final = "agent_quality"  # (site, team, agent, quarter) -> AGENT_QUALITY_FIELDS sums
CONTACTS: Final = "contacts"  # (site, contact_id) -> contact record
WAITING: Final = "waiting"  # (site, contact_id, queue) -> queue entry
# async contacts not yet resolved: (site, contact_id, queue) -> queue entry
BACKLOG: Final = "backlog"
# latest exit from WAITING or BACKLOG: (site, contact_id, queue, table) -> ts
EXITS: Final = "exits"
AGENTS: Final = "agents"  # (site, agent) -> agent record
# (site, agent, minute) -> the agent's transitions in it, sorted
AGENT_CHUNKS: Final = "agent_chunks"
SEEN_IDS: Final = "seen_ids"  # event ids, for dedup: (site, second) -> [id, ...]
PULSE: Final = "pulse"  # (site, team, metric) -> pulse record
# Quarter cells past CELL_QUARTERS' 26 h, kept a week for "last week at this time" (week.py).
WEEK_QUARTERS: Final = "week_quarters"  # (site, queue, channel, team, quarter) -> cell vector
# (site, queue, channel, local midnight) -> abandons record (abandons.py)
ABANDONS: Final = "abandons"

TABLES: Final = (
    CELL_MINUTES,
    CELL_QUARTERS,
    TEAM_MINUTES,
    TEAM_QUARTERS,
    AGENT_QUALITY,
    CONTACTS,
    WAITING,
    BACKLOG,
    EXITS,
    AGENTS,
    AGENT_CHUNKS,
    SEEN_IDS,
    PULSE,
    WEEK_QUARTERS,
    ABANDONS,
)
# Tables whose keys end in a bucket time, so the expiry index can evict them (expiry.py).
TIMED_TABLES: Final = (
    CELL_MINUTES,
    CELL_QUARTERS,
    TEAM_MINUTES,
    TEAM_QUARTERS,
    AGENT_QUALITY,
    SEEN_IDS,
    WEEK_QUARTERS,
    ABANDONS,
)

# Contact record: who handled the contact and the survey and QA contributions it received.
# Queue None: not attributed yet (only contributions seen). The rank (kind, then time) decides
# which observation of the contact it is attributed to.
CONTACT_QUEUE: Final = 0
CONTACT_CHANNEL: Final = 1
CONTACT_TEAM: Final = 2
CONTACT_AGENT: Final = 3
CONTACT_RANK_KIND: Final = 4
CONTACT_RANK_TS: Final = 5
CONTACT_LAST_TS: Final = 6  # latest event of the contact, for its TTL
CONTACT_CONTRIBUTIONS: Final = 7
# Rank kinds, lowest first.
RANK_NONE: Final = -1
RANK_OFFERED: Final = 0
RANK_ANSWERED: Final = 1

# Contribution, in a contact record.
CONTRIBUTION_TS: Final = 0
CONTRIBUTION_PAIRS: Final = 1  # [[cell vector index, amount], ...]
CONTRIBUTION_QUALITY: Final = 2  # agent quality sums (AGENT_QUALITY_FIELDS)

# Queue entry, in WAITING and BACKLOG.
ENTRY_CHANNEL: Final = 0
ENTRY_TS: Final = 1

# Agent record: the base (the latest transition of a minute wholly behind watermark − lateness, or
# None), the minutes of the agent's chunks (AGENT_CHUNKS: the later transitions, before its latest
# minute) sorted, when the base's run of the same state and reason began (None without a base),
# and the transitions of its latest minute after the base, sorted.
AGENT_BASE: Final = 0
AGENT_MINUTES: Final = 1
AGENT_SINCE: Final = 2
AGENT_RECENT: Final = 3

# Transition, in an agent record; compared as a whole when sorted.
TRANSITION_TS: Final = 0
TRANSITION_STATE: Final = 1
TRANSITION_REASON: Final = 2
TRANSITION_TEAM: Final = 3
TRANSITION_QUEUES: Final = 4

# Pulse record; compared as a whole (time, then value, then respondents).
PULSE_TS: Final = 0
PULSE_VALUE: Final = 1
PULSE_RESPONDENTS: Final = 2

# Abandons record: the day's abandoned contacts, and the most recent of them as [ts, wait_ms].
ABANDONS_TOTAL: Final = 0
ABANDONS_LIST: Final = 1
