"""Chatwoot webhooks → canonical events (pure: no I/O, no clock).

Chatwoot conversations are asynchronous (a reply may come minutes later), so they map to the
``messaging`` channel, or ``email`` for an email inbox: offered when created, a first response at
the first outgoing message of an agent, resolved when the status becomes ``resolved``. The
mapper remembers when each open conversation was created (``received_ts``); that memory is its
state, saved with ``--state``. docs/sources.md has the tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from floorboard.events.model import (
    Channel,
    ContactFirstResponse,
    ContactOffered,
    ContactResolved,
    SurveyResponse,
)
from floorboard.sources.outcome import Mapped, ignored, rejected

NO_KPI = frozenset(
    {"conversation_opened", "conversation_updated", "webwidget_triggered", "message_updated"}
)


@dataclass(frozen=True, slots=True)
class ChatwootOptions:
    site: str
    queues: Mapping[int, str] = field(default_factory=dict)  # inbox id → queue
    teams: Mapping[str, str] = field(default_factory=dict)  # agent → team
    default_team: str = "default"


class ChatwootMapper:
    def __init__(self, options: ChatwootOptions) -> None:
        self.o = options
        self.open: dict[str, list[Any]] = {}  # contact id → [received ms, responded?]

    def map_body(self, raw: bytes, received_ms: int) -> list[tuple[Mapped, bytes]]:
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return [(rejected("malformed_json", f"body is not valid JSON: {exc}"), raw)]
        if not isinstance(doc, dict):
            return [(rejected("not_an_object", "the body must be a JSON object"), raw)]
        try:
            return [(self.map_event(doc), raw)]
        except (KeyError, TypeError, ValueError) as exc:
            return [(rejected("invalid", f"{doc.get('event')}: {exc!r}"), raw)]

    def map_event(self, doc: dict[str, Any]) -> Mapped:
        event = doc.get("event")
        if event == "conversation_created":
            return self._created(doc)
        if event in ("conversation_status_changed", "conversation_resolved"):
            return self._status(doc)
        if event == "message_created":
            return self._message(doc)
        if event == "message_updated" and doc.get("content_type") == "input_csat":
            return self._csat(doc)
        return ignored("no_kpi" if event in NO_KPI else "unknown_event")

    # --- conversations ---

    def _where(self, conv: dict[str, Any]) -> tuple[str, str, Channel]:
        contact_id = f"cw-{int(conv['id'])}"
        inbox = int(conv["inbox_id"])
        queue = self.o.queues.get(inbox, f"inbox-{inbox}")
        channel: Channel = "email" if conv.get("channel") == "Channel::Email" else "messaging"
        return contact_id, queue, channel

    def _created(self, conv: dict[str, Any]) -> Mapped:
        contact_id, queue, channel = self._where(conv)
        ts = _epoch_ms(conv["timestamp"])
        self.open[contact_id] = [ts, False]
        event = ContactOffered(
            v=1, id=f"{contact_id}-o", ts=ts, site=self.o.site, contact_id=contact_id,
            queue=queue, channel=channel,
        )  # fmt: skip
        return Mapped("mapped", "conversation_created", [event])

    def _status(self, conv: dict[str, Any]) -> Mapped:
        if conv.get("status") != "resolved":
            return ignored("no_kpi")
        contact_id, queue, channel = self._where(conv)
        known = self.open.pop(contact_id, None)
        if known is None:
            return ignored("unknown_conversation")
        ts = _epoch_ms(conv["timestamp"])
        agent, team = self._assignee(conv)
        event = ContactResolved(
            v=1, id=f"{contact_id}-r{ts}", ts=max(ts, known[0]), site=self.o.site,
            contact_id=contact_id, queue=queue, channel=channel, agent=agent, team=team,
            received_ts=known[0],
        )  # fmt: skip
        return Mapped("mapped", "resolved", [event])

    def _message(self, msg: dict[str, Any]) -> Mapped:
        sender = msg.get("sender") or {}
        if (
            msg.get("message_type") != "outgoing"
            or msg.get("private")
            or sender.get("type") != "user"
        ):
            return ignored("no_kpi")  # customers' messages, notes, bots, templates
        conv = msg["conversation"]
        contact_id, queue, channel = self._where(conv)
        known = self.open.get(contact_id)
        if known is None:
            return ignored("unknown_conversation")
        if known[1]:
            return ignored("not_first_response")
        known[1] = True
        agent = f"cw-user-{int(sender['id'])}"
        ts = max(_iso_ms(msg["created_at"]), known[0])
        event = ContactFirstResponse(
            v=1, id=f"{contact_id}-f", ts=ts, site=self.o.site, contact_id=contact_id,
            queue=queue, channel=channel, agent=agent,
            team=self.o.teams.get(agent, self.o.default_team), received_ts=known[0],
        )  # fmt: skip
        return Mapped("mapped", "first_response", [event])

    def _assignee(self, conv: dict[str, Any]) -> tuple[str, str]:
        assignee = (conv.get("meta") or {}).get("assignee")
        agent = f"cw-user-{int(assignee['id'])}" if assignee else "unassigned"
        return agent, self.o.teams.get(agent, self.o.default_team)

    def _csat(self, msg: dict[str, Any]) -> Mapped:
        submitted = (msg.get("content_attributes") or {}).get("submitted_values") or {}
        answer = submitted.get("csat_survey_response") or {}
        rating = answer.get("rating")
        if rating is None:
            return ignored("no_kpi")  # the survey was sent, not yet answered
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            return rejected("invalid", f"csat_survey_response.rating: expected 1-5, got {rating!r}")
        conv = msg["conversation"]
        contact_id, _, _ = self._where(conv)
        ts = _iso_ms(msg.get("updated_at") or msg["created_at"])
        event = SurveyResponse(
            v=1, id=f"cw-csat-{int(msg['id'])}", ts=ts, site=self.o.site,
            contact_id=contact_id, csat=rating,
        )  # fmt: skip
        return Mapped("mapped", "csat", [event])

    # --- restart ---

    def state(self) -> dict[str, Any]:
        return {"open": self.open}

    def restore(self, saved: Mapping[str, Any]) -> None:
        self.open = {k: [int(v[0]), bool(v[1])] for k, v in saved.get("open", {}).items()}


def _epoch_ms(value: Any) -> int:
    seconds = int(value)
    if not 0 <= seconds < 32503680000:
        raise ValueError(f"timestamp out of range: {value!r}")
    return seconds * 1000


def _iso_ms(value: Any) -> int:
    """Chatwoot mixes ISO-8601 UTC strings and epoch seconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _epoch_ms(value)
    text = str(value).replace(" UTC", "+00:00")
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"time without an offset: {value!r}")
    return int(parsed.timestamp() * 1000)


def signature_verifier(secret: bytes, now: Callable[[], float], window_s: int = 300) -> Any:
    """Chatwoot signs ``{timestamp}.{body}`` with HMAC-SHA256 and the webhook's secret:
    ``X-Chatwoot-Signature: sha256=<hex>``, ``X-Chatwoot-Timestamp: <epoch seconds>``."""

    def verify(headers: Mapping[str, str], body: bytes) -> str | None:
        stamp = headers.get("X-Chatwoot-Timestamp", "")
        given = headers.get("X-Chatwoot-Signature", "")
        if not stamp.isdigit() or abs(now() - int(stamp)) > window_s:
            return "X-Chatwoot-Timestamp: missing or more than 5 minutes off"
        digest = hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given.encode(), f"sha256={digest}".encode()):
            return "X-Chatwoot-Signature: does not match the body"
        return None

    return verify
