"""What the engine's keyed state holds: table names and the fields of the list records in them.

All of it is persisted: every checkpoint key carries its table's name, and records are stored as
msgpack lists. Renaming a table or moving a field changes the checkpoint format, so bump
``FORMAT`` with it; a restore ignores checkpoints of another format (docs/architecture.md).
Records stay plain lists indexed by the constants below: the hot path cannot afford objects.
"""

from __future__ import annotations

# 1: single-letter table names, before checkpoints carried a format. 2: before ABANDONS and
# WEEK_QUARTERS. 3: team time buckets held only agent time older than the lateness. 4: agent
# records held all their pending transitions.
FORMAT = 5

# Keys and values; docs/architecture.md lists them too.
CELL_MINUTES = "cell_minutes"  # (site, queue, channel, team, minute) -> cell vector (layout.py)
CELL_QUARTERS = "cell_quarters"  # (site, queue, channel, team, quarter) -> cell vector
TEAM_MINUTES = "team_minutes"  # (site, team, minute) -> ms per agent state (AGENT_TIME_FIELDS)
TEAM_QUARTERS = "team_quarters"  # (site, team, quarter) -> ms per agent state
AGENT_QUALITY = "agent_quality"  # (site, team, agent, quarter) -> AGENT_QUALITY_FIELDS sums
CONTACTS = "contacts"  # (site, contact_id) -> contact record
WAITING = "waiting"  # (site, contact_id, queue) -> queue entry
BACKLOG = "backlog"  # async contacts not yet resolved: (site, contact_id, queue) -> queue entry
EXITS = "exits"  # latest exit from WAITING or BACKLOG: (site, contact_id, queue, table) -> ts
AGENTS = "agents"  # (site, agent) -> agent record
AGENT_CHUNKS = "agent_chunks"  # (site, agent, minute) -> the agent's transitions in it, sorted
SEEN_IDS = "seen_ids"  # event ids, for dedup: (site, second) -> [id, ...]
PULSE = "pulse"  # (site, team, metric) -> pulse record
# Quarter cells past CELL_QUARTERS' 26 h, kept a week for "last week at this time" (week.py).
WEEK_QUARTERS = "week_quarters"  # (site, queue, channel, team, quarter) -> cell vector
ABANDONS = "abandons"  # (site, queue, channel, local midnight) -> abandons record (abandons.py)

TABLES = (
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
TIMED_TABLES = (
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
CONTACT_QUEUE = 0
CONTACT_CHANNEL = 1
CONTACT_TEAM = 2
CONTACT_AGENT = 3
CONTACT_RANK_KIND = 4
CONTACT_RANK_TS = 5
CONTACT_LAST_TS = 6  # latest event of the contact, for its TTL
CONTACT_CONTRIBUTIONS = 7
# Rank kinds, lowest first.
RANK_NONE = -1
RANK_OFFERED = 0
RANK_ANSWERED = 1

# Contribution, in a contact record.
CONTRIBUTION_TS = 0
CONTRIBUTION_PAIRS = 1  # [[cell vector index, amount], ...]
CONTRIBUTION_QUALITY = 2  # agent quality sums (AGENT_QUALITY_FIELDS)

# Queue entry, in WAITING and BACKLOG.
ENTRY_CHANNEL = 0
ENTRY_TS = 1

# Agent record: the base (the latest transition of a minute wholly behind watermark − lateness, or
# None), the minutes of the agent's chunks (AGENT_CHUNKS: the later transitions, before its latest
# minute) sorted, when the base's run of the same state and reason began (None without a base),
# and the transitions of its latest minute after the base, sorted.
AGENT_BASE = 0
AGENT_MINUTES = 1
AGENT_SINCE = 2
AGENT_RECENT = 3

# Transition, in an agent record; compared as a whole when sorted.
TRANSITION_TS = 0
TRANSITION_STATE = 1
TRANSITION_REASON = 2
TRANSITION_TEAM = 3
TRANSITION_QUEUES = 4

# Pulse record; compared as a whole (time, then value, then respondents).
PULSE_TS = 0
PULSE_VALUE = 1
PULSE_RESPONDENTS = 2

# Abandons record: the day's abandoned contacts, and the most recent of them as [ts, wait_ms].
ABANDONS_TOTAL = 0
ABANDONS_LIST = 1
