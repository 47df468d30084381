"""Amazon Connect records → canonical events (pure: no I/O, no clock).

Three kinds of JSON record, one per line, told apart by their fields: agent event stream
records (``EventType`` LOGIN, LOGOUT, STATE_CHANGE, HEART_BEAT with ``CurrentAgentSnapshot``),
contact events (EventBridge, with or without the envelope: ``eventType`` INITIATED, QUEUED,
CONNECTED_TO_AGENT, DISCONNECTED, …) and contact trace records (CTRs, for backfill). Field names
are matched case-insensitively: the admin guide's own samples mix ``AgentInfo`` and
``agentInfo``. Times are ISO-8601 UTC. docs/sources.md has the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from floorboard.events.model import (
    AgentState,
    AgentStateName,
    Channel,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    ContactTransferred,
    ContactWrapupEnded,
    Event,
)
from floorboard.sources.outcome import Mapped, ignored, rejected

CHANNELS: dict[str, Channel] = {"voice": "voice", "chat": "chat"}
NAME_MAX = 128


@dataclass(frozen=True, slots=True)
class ConnectOptions:
    site: str
    queues: Mapping[str, str] = field(default_factory=dict)  # queue ARN or id → queue
    teams: Mapping[str, str] = field(default_factory=dict)  # agent (username or id) → team
    default_team: str = "default"


def _lower(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value


def _ms(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError(f"time: expected an ISO-8601 string, got {value!r}")
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"time without an offset: {value!r}")
    return int(parsed.timestamp() * 1000)


def _seconds(ms: int) -> float:
    if not 0 <= ms <= 7 * 86400 * 1000:
        raise ValueError(f"duration {ms / 1000} s is outside 0 … 7 days (times out of order?)")
    return ms / 1000


def _last(arn: str) -> str:
    return arn.rsplit("/", 1)[-1][:NAME_MAX]


class ConnectMapper:
    def __init__(self, options: ConnectOptions) -> None:
        self.o = options
        # agent → {"shown": [state, reason], "acw": {contact: [start ms, queue, channel]}}
        self.agents: dict[str, dict[str, Any]] = {}

    # --- LineMapper ---

    def map_raw(self, raw: bytes) -> Mapped:
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return rejected("malformed_json", f"record is not valid JSON: {exc}")
        if not isinstance(doc, dict):
            return rejected("not_an_object", "a record must be a JSON object")
        try:
            return self.map_record(_lower(doc))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return rejected("invalid", f"{type(exc).__name__}: {exc}")

    def advance(self, now: int) -> list[Event]:
        return []

    def finish(self) -> list[Event]:
        return []

    def state(self) -> dict[str, Any]:
        return {"agents": self.agents}

    def restore(self, saved: dict[str, Any]) -> None:
        self.agents = dict(saved.get("agents", {}))

    # --- dispatch ---

    def map_record(self, doc: dict[str, Any]) -> Mapped:
        if "detail" in doc and isinstance(doc["detail"], dict):
            doc = doc["detail"]  # the EventBridge envelope
        if "currentagentsnapshot" in doc or doc.get("eventtype") in ("LOGIN", "LOGOUT"):
            return self._agent_event(doc)
        if "eventtype" in doc and "contactid" in doc:
            return self._contact_event(doc)
        if "contactid" in doc and "initiationtimestamp" in doc:
            return self._ctr(doc)
        return ignored("unknown_record")

    # --- contacts ---

    def _queue(self, info: dict[str, Any]) -> str:
        arn = str(info.get("queuearn") or info.get("arn") or "")
        name = self.o.queues.get(arn) or self.o.queues.get(_last(arn)) or info.get("name")
        if not name:
            name = _last(arn)
        if not name:
            raise ValueError("queue: no ARN or name")
        return str(name)[:NAME_MAX]

    def _agent(self, info: dict[str, Any]) -> tuple[str, str]:
        agent = str(info.get("username") or _last(str(info.get("agentarn") or info.get("arn"))))
        return agent[:NAME_MAX], self.o.teams.get(agent, self.o.default_team)

    def _inbound(self, doc: dict[str, Any]) -> Channel | Mapped:
        if doc.get("initiationmethod") in ("OUTBOUND", "MONITOR"):
            return ignored("not_inbound")
        channel = CHANNELS.get(str(doc.get("channel", "")).lower())
        return channel if channel is not None else ignored("task")

    def _contact_event(self, doc: dict[str, Any]) -> Mapped:
        kind = doc["eventtype"]
        if kind not in ("QUEUED", "CONNECTED_TO_AGENT", "DISCONNECTED"):
            return ignored("no_kpi")  # INITIATED, CONNECTED_TO_SYSTEM
        channel = self._inbound(doc)
        if isinstance(channel, Mapped):
            return channel
        contact_id = str(doc["contactid"])[:NAME_MAX]
        queue_info: dict[str, Any] = doc.get("queueinfo") or {}
        agent_info: dict[str, Any] = doc.get("agentinfo") or {}
        if not queue_info:
            return ignored("not_queued")  # a flow-only contact: never offered to agents
        base: dict[str, Any] = {
            "v": 1,
            "site": self.o.site,
            "contact_id": contact_id,
            "queue": self._queue(queue_info),
            "channel": channel,
        }
        enqueued = _ms(queue_info["enqueuetimestamp"])
        if kind == "QUEUED":
            return Mapped(
                "mapped", "queued", [ContactOffered(**base, id=f"ac-{contact_id}-o", ts=enqueued)]
            )
        if kind == "CONNECTED_TO_AGENT":
            connected = _ms(agent_info["connectedtoagenttimestamp"])
            agent, team = self._agent(agent_info)
            event = ContactAnswered(
                **base,
                id=f"ac-{contact_id}-n",
                ts=connected,
                agent=agent,
                team=team,
                wait_s=_seconds(connected - enqueued),
            )
            return Mapped("mapped", "connected_to_agent", [event])
        ended = _ms(doc["disconnecttimestamp"])
        if agent_info.get("connectedtoagenttimestamp"):
            agent, team = self._agent(agent_info)
            talk = _seconds(ended - _ms(agent_info["connectedtoagenttimestamp"]))
            event_e = ContactEnded(
                **base,
                id=f"ac-{contact_id}-e",
                ts=ended,
                agent=agent,
                team=team,
                talk_s=talk,
                hold_s=0.0,
            )
            return Mapped("mapped", "disconnected", [event_e])
        event_a = ContactAbandoned(
            **base, id=f"ac-{contact_id}-a", ts=ended, wait_s=_seconds(ended - enqueued)
        )
        return Mapped("mapped", "disconnected", [event_a])

    def _ctr(self, doc: dict[str, Any]) -> Mapped:
        channel = self._inbound(doc)
        if isinstance(channel, Mapped):
            return channel
        queue_info = doc.get("queue")
        if not queue_info:
            return ignored("not_queued")
        contact_id = str(doc["contactid"])[:NAME_MAX]
        base: dict[str, Any] = {
            "v": 1,
            "site": self.o.site,
            "contact_id": contact_id,
            "queue": self._queue(queue_info),
            "channel": channel,
        }
        enqueued = _ms(queue_info["enqueuetimestamp"])
        out: list[Event] = [ContactOffered(**base, id=f"ac-{contact_id}-o", ts=enqueued)]
        agent_info = doc.get("agent")
        if not agent_info or not agent_info.get("connectedtoagenttimestamp"):
            left = _ms(queue_info.get("dequeuetimestamp") or doc["disconnecttimestamp"])
            out.append(
                ContactAbandoned(
                    **base, id=f"ac-{contact_id}-a", ts=left, wait_s=_seconds(left - enqueued)
                )
            )
            return Mapped("mapped", "ctr", out)
        agent, team = self._agent(agent_info)
        leg: dict[str, Any] = {**base, "agent": agent, "team": team}
        connected = _ms(agent_info["connectedtoagenttimestamp"])
        out.append(
            ContactAnswered(
                **leg, id=f"ac-{contact_id}-n", ts=connected, wait_s=_seconds(connected - enqueued)
            )
        )
        acw_start = agent_info.get("aftercontactworkstarttimestamp")
        ended = _ms(acw_start or doc["disconnecttimestamp"])
        endpoint = doc.get("transferredtoendpoint")
        if endpoint or doc.get("transfercompletedtimestamp"):
            target = str((endpoint or {}).get("address") or "unknown")[:NAME_MAX]
            out.append(
                ContactTransferred(**leg, id=f"ac-{contact_id}-t", ts=ended, to_queue=target)
            )
        talk = float(agent_info.get("agentinteractionduration") or 0)
        hold = float(agent_info.get("customerholdduration") or 0)
        out.append(
            ContactEnded(
                **leg,
                id=f"ac-{contact_id}-e",
                ts=ended,
                talk_s=_seconds(round(talk * 1000)),
                hold_s=_seconds(round(hold * 1000)),
            )
        )
        acw_end = agent_info.get("aftercontactworkendtimestamp")
        if acw_start and acw_end:
            end = _ms(acw_end)
            out.append(
                ContactWrapupEnded(
                    **leg, id=f"ac-{contact_id}-w", ts=end, acw_s=_seconds(end - ended)
                )
            )
        return Mapped("mapped", "ctr", out)

    # --- agents ---

    def _agent_event(self, doc: dict[str, Any]) -> Mapped:
        kind = doc["eventtype"]
        ts = _ms(doc["eventtimestamp"])
        snapshot = doc.get("currentagentsnapshot") or {}
        config = snapshot.get("configuration") or {}
        agent = str(config.get("username") or _last(str(doc["agentarn"])))[:NAME_MAX]
        team = self.o.teams.get(agent, self.o.default_team)
        profile = config.get("routingprofile") or {}
        queues = tuple(
            sorted(
                {
                    str(q["name"])[:NAME_MAX]
                    for q in profile.get("inboundqueues") or []
                    if q.get("name")
                }
            )
        )
        memory = self.agents.setdefault(agent, {"shown": ["logged_out", None], "acw": {}})
        contacts = {str(c["contactid"]): c for c in snapshot.get("contacts") or []}
        out: list[Event] = []
        # After-contact work ends when the contact leaves the agent's snapshot (admin guide,
        # "Determine how long an agent spends doing ACW").
        for contact_id, (start, queue, channel) in list(memory["acw"].items()):
            if contact_id not in contacts or kind == "LOGOUT":
                del memory["acw"][contact_id]
                out.append(
                    ContactWrapupEnded(
                        v=1,
                        id=f"ac-{contact_id}-w",
                        ts=ts,
                        site=self.o.site,
                        contact_id=contact_id,
                        queue=queue,
                        channel=channel,
                        agent=agent,
                        team=team,
                        acw_s=_seconds(ts - start),
                    )
                )
        for contact_id, c in contacts.items():
            if c.get("state") == "ENDED" and contact_id not in memory["acw"]:
                channel = CHANNELS.get(str(c.get("channel", "")).lower(), "voice")
                queue = self._queue(c["queue"]) if c.get("queue") else "unknown"
                start = _ms(c.get("statestarttimestamp") or doc["eventtimestamp"])
                memory["acw"][contact_id] = [start, queue, channel]
        state, reason = self._derive(kind, snapshot, contacts)
        if [state, reason] != memory["shown"]:
            if memory["shown"][0] == "logged_out" and state != "logged_out":
                out.append(
                    AgentState(
                        v=1,
                        id=f"ac-{agent}-{ts}-i",
                        ts=ts,
                        site=self.o.site,
                        agent=agent,
                        team=team,
                        state="logged_in",
                        queues=queues,
                    )
                )
                ts += 1
            out.append(
                AgentState(
                    v=1,
                    id=f"ac-{agent}-{ts}-s",
                    ts=ts,
                    site=self.o.site,
                    agent=agent,
                    team=team,
                    state=state,
                    reason=reason,
                    queues=queues,
                )
            )
            memory["shown"] = [state, reason]
        if not out:
            return ignored("no_change")  # a heartbeat, or a change that is no state change
        return Mapped("mapped", kind.lower(), out)

    @staticmethod
    def _derive(
        kind: str, snapshot: dict[str, Any], contacts: dict[str, Any]
    ) -> tuple[AgentStateName, str | None]:
        status = str((snapshot.get("agentstatus") or {}).get("name") or "")
        if kind == "LOGOUT" or status == "Offline":
            return "logged_out", None
        states = {c.get("state") for c in contacts.values()}
        if states & {"CONNECTING", "CONNECTED", "CONNECTED_ONHOLD"}:
            return "busy", None
        if "ENDED" in states:
            return "acw", None
        if status == "Available":
            return "ready", None
        return "not_ready", (status or "unavailable")[:NAME_MAX]
