"""Decoding and validation of canonical events, with errors that name event, field and rule.

A Kafka record or JSONL line holds one event object or a JSON array of them (a producer batch).
Bad events never raise out of :func:`decode_record`; they come back as :class:`Rejected` so the
caller can dead-letter them with their reason while the good events of the same record proceed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import msgspec
import orjson

from floorboard.events.model import TYPE_NAMES, Event

RejectReason = Literal[
    "malformed_json",
    "not_an_object",
    "unknown_type",
    "unsupported_version",
    "invalid",
    "too_late",
]
REJECT_REASONS: tuple[RejectReason, ...] = get_args(RejectReason)

_decoder = msgspec.json.Decoder(Event)
_batch_decoder = msgspec.json.Decoder(list[Event])
_encoder = msgspec.json.Encoder()
_AT_PATH = re.compile(r" - at `\$(?:\[\d+\])?\.?([^`]*)`$")


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: RejectReason
    message: str
    raw: bytes
    event_id: str | None = None
    event_type: str | None = None


def encode(event: Event) -> bytes:
    return _encoder.encode(event)


def encode_batch(events: list[Event]) -> bytes:
    return _encoder.encode(events)


def decode_record(raw: bytes) -> tuple[list[Event], list[Rejected]]:
    """Decode one record (an event object or an array of them)."""
    stripped = raw.lstrip()
    try:
        if stripped[:1] == b"[":
            return list(_batch_decoder.decode(raw)), []
        return [_decoder.decode(raw)], []
    except msgspec.DecodeError:
        pass
    # Slow path, only for records with at least one bad event: find out which and why.
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return [], [Rejected("malformed_json", f"record is not valid JSON: {exc}", raw)]
    items = parsed if isinstance(parsed, list) else [parsed]
    good: list[Event] = []
    bad: list[Rejected] = []
    for item in items:
        item_raw = raw if items is not parsed else orjson.dumps(item)
        result = _decode_one(item, item_raw)
        if isinstance(result, Rejected):
            bad.append(result)
        else:
            good.append(result)
    return good, bad


def decode_event(raw: bytes) -> Event | Rejected:
    """Decode exactly one event object."""
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError:
        pass
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Rejected("malformed_json", f"record is not valid JSON: {exc}", raw)
    return _decode_one(parsed, raw)


def _decode_one(item: Any, raw: bytes) -> Event | Rejected:
    if not isinstance(item, dict):
        return Rejected(
            "not_an_object", f"event must be a JSON object, got {type(item).__name__}", raw
        )
    event_id = item.get("id") if isinstance(item.get("id"), str) else None
    etype = item.get("type") if isinstance(item.get("type"), str) else None
    who = f"event {event_id or '<no id>'} ({etype or '<no type>'})"
    if etype is None:
        return Rejected("invalid", f"{who}: type: required string", raw, event_id, etype)
    if etype not in TYPE_NAMES:
        return Rejected(
            "unknown_type", f"{who}: type: unknown event type {etype!r}", raw, event_id, etype
        )
    if item.get("v") != 1:
        return Rejected(
            "unsupported_version",
            f"{who}: v: schema version must be 1, got {item.get('v')!r}",
            raw,
            event_id,
            etype,
        )
    if isinstance(item.get("ts"), str):
        return Rejected(
            "invalid",
            f"{who}: ts: must be integer epoch milliseconds (UTC); "
            "RFC 3339 strings are not accepted",
            raw,
            event_id,
            etype,
        )
    try:
        return cast(Event, msgspec.convert(item, Event))
    except msgspec.ValidationError as exc:
        return Rejected("invalid", f"{who}: {_field_rule(str(exc))}", raw, event_id, etype)


def _field_rule(message: str) -> str:
    """Turn msgspec's ``Expected `int`, got `str` - at `$.ts``` into ``ts: expected int, ...``."""
    match = _AT_PATH.search(message)
    if match is None:
        # Errors raised in __post_init__ already start with "field: rule".
        if message.startswith("Object missing required field"):
            field = message.split("`")[1]
            return f"{field}: required field is missing"
        if message.startswith("Object contains unknown field"):
            field = message.split("`")[1]
            return f"{field}: unknown field"
        return message
    field = match.group(1) or "<event>"
    rule = message[: match.start()]
    if rule.startswith("Object missing required field"):
        missing = rule.split("`")[1]
        return f"{field}.{missing}: required field is missing"
    return f"{field}: {rule[0].lower()}{rule[1:]}"
