"""Decoding and validation of canonical events, with errors that name event, field and rule.

A Kafka record or JSONL line holds one event object or a JSON array of them (a producer batch).
Bad events never raise out of :func:`decode_record`, whatever the input; they come back as
:class:`Rejected` so the caller can dead-letter them with their reason while the good events of
the same record proceed. A record too large or too deeply nested is rejected as a whole, before
any parser recurses into it: one rejection carrying the number of elements it held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

import msgspec

from floorboard.events.model import EVENT_TYPES, MAX_NAME_LENGTH, OUT_OF_RANGE, TYPE_NAMES, Event

RejectReason = Literal[
    "malformed_json",
    "not_an_object",
    "unknown_type",
    "unsupported_version",
    "invalid",
    "out_of_range",
    "too_large",
    "too_deep",
    "too_late",
    "from_future",
]
REJECT_REASONS: tuple[RejectReason, ...] = get_args(RejectReason)

_decoder = msgspec.json.Decoder(Event)
# One parse for either form of a record: an object decodes to an event, an array to a list.
_record_decoder = msgspec.json.Decoder(list[Event] | Event)
_encoder = msgspec.json.Encoder()
# Numbers beyond a float read as ±inf, so the event's field bounds judge them (out_of_range),
# as in a typed decode, instead of failing the whole record.
_untyped_decoder = msgspec.json.Decoder(float_hook=float)
_AT_PATH = re.compile(r" - at `\$(?:\[\d+\])?\.?([^`]*)`$")
# msgspec's wording for a number outside its Meta bounds ("Expected `float` <= 1000000.0").
_BOUND = re.compile(r"^Expected `\w+` [<>]=? ")
# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_STRUCTURE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|([\[\]{}])')
_OPEN = frozenset(b"[{")
# Bytes of an oversized record kept in its rejection: enough to recognise it; the source
# topic, partition and offset in the dead letter point at the whole record.
EXCERPT_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds every record is checked against (``limits`` in the config): size and depth before
    it is parsed, string lengths after."""

    max_record_bytes: int = 1_048_576
    max_batch_events: int = 10_000
    max_depth: int = 8  # a batch of agent.state events with queues is 3 deep
    # The event types cap every string at MAX_NAME_LENGTH while decoding, at no cost of their
    # own; a tighter bound costs a pass over the strings, so it runs only when set lower.
    max_id_length: int = MAX_NAME_LENGTH  # id, contact_id
    max_name_length: int = MAX_NAME_LENGTH  # site, queue, agent, team, reason, …
    # Read once per record: set here, not computed on every read.
    tightened: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tight = min(self.max_id_length, self.max_name_length) < MAX_NAME_LENGTH
        object.__setattr__(self, "tightened", tight)


DEFAULT_LIMITS = Limits()
ID_FIELDS = frozenset({"id", "contact_id"})


def _string_fields(etype: type) -> tuple[tuple[str, bool], ...]:
    """(field, holds a tuple of strings) for each bounded string field of an event type."""
    fields = []
    for info in msgspec.inspect.type_info(etype).fields:  # type: ignore[attr-defined]
        kinds = getattr(info.type, "types", (info.type,))  # Optional fields are unions
        for kind in kinds:
            if isinstance(kind, msgspec.inspect.StrType) and kind.max_length:
                fields.append((info.name, False))
            elif isinstance(kind, msgspec.inspect.VarTupleType) and isinstance(
                kind.item_type, msgspec.inspect.StrType
            ):
                fields.append((info.name, True))
    return tuple(fields)


_STRING_FIELDS = {etype: _string_fields(etype) for etype in EVENT_TYPES}


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: RejectReason
    message: str
    raw: bytes
    event_id: str | None = None
    event_type: str | None = None
    count: int = 1  # elements of a record rejected as a whole


def encode(event: Event) -> bytes:
    return _encoder.encode(event)


def encode_batch(events: list[Event]) -> bytes:
    return _encoder.encode(events)


def decode_record(
    raw: bytes, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[Event], list[Rejected]]:
    """Decode one record (an event object or an array of them)."""
    good, bad = _decode_record(raw, limits)
    if limits.tightened and good:
        return _within_lengths(good, bad, limits)
    return good, bad


def _decode_record(raw: bytes, limits: Limits) -> tuple[list[Event], list[Rejected]]:
    if len(raw) > limits.max_record_bytes:
        message = (
            f"record is {len(raw)} bytes, over limits.max_record_bytes={limits.max_record_bytes}"
        )
        return [], [Rejected("too_large", message, raw[:EXCERPT_BYTES])]
    try:
        decoded = _record_decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        pass
    else:
        if not isinstance(decoded, list):
            return [decoded], []
        if len(decoded) > limits.max_batch_events:
            return [], [_too_many(len(decoded), limits, raw)]
        return decoded, []
    # Slow path, only for records with at least one bad event: find out which and why.
    parsed = _parse(raw, limits)
    if isinstance(parsed, Rejected):
        return [], [parsed]
    if not isinstance(parsed, list):
        result = _decode_one(parsed, raw)
        return ([], [result]) if isinstance(result, Rejected) else ([result], [])
    if len(parsed) > limits.max_batch_events:
        return [], [_too_many(len(parsed), limits, raw)]
    if parsed and not any(isinstance(item, dict) for item in parsed):
        message = f"record is an array of {len(parsed)} values and none is an event object"
        return [], [Rejected("not_an_object", message, raw[:EXCERPT_BYTES])]
    good: list[Event] = []
    bad: list[Rejected] = []
    for item in parsed:
        result = _decode_one(item, _encoder.encode(item))
        if isinstance(result, Rejected):
            bad.append(result)
        else:
            good.append(result)
    return good, bad


def decode_event(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> Event | Rejected:
    """Decode exactly one event object."""
    result = _decode_event(raw, limits)
    if limits.tightened and not isinstance(result, Rejected):
        good, bad = _within_lengths([result], [], limits)
        return good[0] if good else bad[0]
    return result


def _decode_event(raw: bytes, limits: Limits) -> Event | Rejected:
    if len(raw) > limits.max_record_bytes:
        message = (
            f"record is {len(raw)} bytes, over limits.max_record_bytes={limits.max_record_bytes}"
        )
        return Rejected("too_large", message, raw[:EXCERPT_BYTES])
    try:
        return _decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        pass
    parsed = _parse(raw, limits)
    if isinstance(parsed, Rejected):
        return parsed
    return _decode_one(parsed, raw)


def _within_lengths(
    events: list[Event], bad: list[Rejected], limits: Limits
) -> tuple[list[Event], list[Rejected]]:
    """Split decoded events by the configured string lengths; too long is ``invalid``, as the
    event types' own cap is."""
    good: list[Event] = []
    for event in events:
        problem = _too_long(event, limits)
        if problem is None:
            good.append(event)
        else:
            etype = str(event.__struct_config__.tag)
            bad.append(Rejected("invalid", f"event {event.id} ({etype}): {problem}",
                                _encoder.encode(event), event.id, etype))  # fmt: skip
    return good, bad


def _too_long(event: Event, limits: Limits) -> str | None:
    for name, many in _STRING_FIELDS[type(event)]:
        limit, setting = (
            (limits.max_id_length, "max_id_length")
            if name in ID_FIELDS
            else (limits.max_name_length, "max_name_length")
        )
        value = getattr(event, name)
        for text in value if many else (value,):
            if text is not None and len(text) > limit:
                return f"{name}: {len(text)} characters, over limits.{setting}={limit}"
    return None


def _parse(raw: bytes, limits: Limits) -> Any:
    """The record as plain JSON values, or why it cannot be read (bounded before parsing)."""
    depth = nesting_depth(raw, limits.max_depth)
    if depth > limits.max_depth:
        message = f"record nests deeper than limits.max_depth={limits.max_depth}"
        return Rejected("too_deep", message, raw[:EXCERPT_BYTES])
    try:
        return _untyped_decoder.decode(raw)
    except msgspec.DecodeError as exc:
        return Rejected("malformed_json", f"record is not valid JSON: {exc}", raw)


def nesting_depth(raw: bytes, stop_above: int) -> int:
    """Bracket depth of a JSON text, strings skipped; stops counting once past ``stop_above``."""
    depth = deepest = 0
    for match in _STRUCTURE.finditer(raw):
        bracket = match.group(1)
        if bracket is None:
            continue
        if bracket[0] in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


def _too_many(count: int, limits: Limits, raw: bytes) -> Rejected:
    message = f"record holds {count} events, over limits.max_batch_events={limits.max_batch_events}"
    return Rejected("too_large", message, raw[:EXCERPT_BYTES], count=count)


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
        text = str(exc)
        if text.startswith(OUT_OF_RANGE):
            return Rejected("out_of_range", f"{who}: {text.removeprefix(OUT_OF_RANGE)}", raw,
                            event_id, etype)  # fmt: skip
        reason: RejectReason = "out_of_range" if _BOUND.match(text) else "invalid"
        return Rejected(reason, f"{who}: {_field_rule(text)}", raw, event_id, etype)


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
