"""Call records from any ACD export (one CSV row per call) → canonical events (pure, no I/O).

A mapping file names the columns, the time format and zone, and which outcome values mean
answered, abandoned, callback or transferred; docs/sources.md documents it field by field. Each
row yields the call's whole lifecycle: offered at queue start, then answered (and ended, and
wrap-up over when the export has it), abandoned, or a callback request.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from hashlib import blake2b
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from floorboard.events.model import (
    Channel,
    ContactAbandoned,
    ContactAnswered,
    ContactCallbackRequested,
    ContactEnded,
    ContactOffered,
    ContactTransferred,
    ContactWrapupEnded,
    Event,
)
from floorboard.sources.outcome import Mapped, ignored, rejected

NAME_MAX = 128
MAX_S = 7 * 86400
Column = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Columns(_Strict):
    """Column names in the export. Times are points in time; ``*_s`` columns are durations."""

    contact_id: Column
    queue: Column
    outcome: Column
    queue_start: Column  # entered the queue (the arrival time when the export has no other)
    answer: Column | None = None  # answered by an agent
    end: Column | None = None  # conversation over (for unanswered calls: left the queue)
    queue_end: Column | None = None  # left the queue unanswered (default: ``end``)
    acw_end: Column | None = None  # after-call work over
    agent: Column | None = None
    team: Column | None = None
    channel: Column | None = None
    transfer_to: Column | None = None
    wait_s: Column | None = None  # instead of answer/queue_end − queue_start
    talk_s: Column | None = None  # instead of end − answer − hold
    hold_s: Column | None = None
    acw_s: Column | None = None  # instead of acw_end − end


class Outcomes(_Strict):
    """The export's outcome values, matched case-insensitively after trimming."""

    answered: tuple[str, ...] = ()
    abandoned: tuple[str, ...] = ()
    callback: tuple[str, ...] = ()
    transferred: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # rows that are not inbound queue calls (outbound, internal…)


class CallRecordMapping(_Strict):
    columns: Columns
    outcomes: Outcomes
    time_format: str = "iso"  # iso | epoch | epoch_ms | a strptime pattern
    timezone: str | None = None  # zone of times without an offset
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","
    encoding: str = "utf-8"
    channel: Channel = "voice"  # when there is no channel column
    team: str = "default"  # when there is no team column
    channels: dict[str, Channel] = Field(default_factory=dict)  # export value → channel

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"not an IANA time zone: {value!r}") from None
        return value


def parse_mapping(data: Any, source: str) -> CallRecordMapping:
    """The mapping, or ValueError with one line naming the field."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: the top level must be a mapping")
    try:
        return CallRecordMapping.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"{source}: {path}: {err['msg'].removeprefix('Value error, ')}") from None


Kind = Literal["answered", "abandoned", "callback", "transferred", "ignored"]


class CallRecordMapper:
    """Rows of one export (its header read first) → events."""

    def __init__(self, mapping: CallRecordMapping, site: str, header: Sequence[str]) -> None:
        self.m = mapping
        self.site = site
        self.header = [h.strip() for h in header]
        cols = mapping.columns.model_dump()
        missing = [c for c in cols.values() if c is not None and c not in self.header]
        if missing:
            raise ValueError(f"the header has no column {', '.join(map(repr, missing))}")
        self.at = {name: self.header.index(col) for name, col in cols.items() if col is not None}
        self.kinds: dict[str, Kind] = {}
        kinds: tuple[Kind, ...] = ("answered", "abandoned", "callback", "transferred", "ignored")
        for kind in kinds:
            for value in getattr(mapping.outcomes, kind):
                self.kinds[value.strip().lower()] = kind
        self.zone = ZoneInfo(mapping.timezone) if mapping.timezone else None

    # --- LineMapper ---

    def map_raw(self, raw: bytes) -> Mapped:
        try:
            text = raw.decode(self.m.encoding)
        except UnicodeDecodeError as exc:
            return rejected("bad_encoding", f"not {self.m.encoding} at byte {exc.start}")
        try:
            row = next(csv.reader([text], delimiter=self.m.delimiter))
        except (csv.Error, StopIteration) as exc:
            return rejected("truncated", f"not a CSV row: {exc}")
        if [c.strip() for c in row] == self.header:
            return ignored("header")
        if len(row) < len(self.header):
            return rejected("truncated", f"{len(row)} columns, {len(self.header)} in the header")
        try:
            return self.map_row(row)
        except _Bad as exc:
            return rejected(exc.reason, str(exc))

    def advance(self, now: int) -> list[Event]:
        return []  # every row is complete in itself

    def finish(self) -> list[Event]:
        return []

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, saved: dict[str, Any]) -> None:
        pass

    # --- one row ---

    def map_row(self, row: Sequence[str]) -> Mapped:
        outcome = self._text(row, "outcome").lower()
        kind = self.kinds.get(outcome)
        if kind is None:
            raise _Bad("unknown_outcome", f"outcome: {outcome!r} is in no list of `outcomes`")
        if kind == "ignored":
            return ignored("not_inbound")
        contact_id, queue = self._name(row, "contact_id"), self._name(row, "queue")
        channel = self._channel(row)
        start = self._time(row, "queue_start")
        lid = (
            "csv-"
            + blake2b(
                f"{self.site}|{contact_id}|{queue}|{start}".encode(), digest_size=10
            ).hexdigest()
        )
        base: dict[str, Any] = {
            "v": 1, "site": self.site, "contact_id": contact_id, "queue": queue,
            "channel": channel,
        }  # fmt: skip
        out: list[Event] = [ContactOffered(**base, id=lid + "o", ts=start)]
        if kind in ("abandoned", "callback"):
            left = self._time(row, "queue_end" if "queue_end" in self.at else "end")
            wait = self._duration(row, "wait_s", left - start)
            cls = ContactAbandoned if kind == "abandoned" else ContactCallbackRequested
            out.append(cls(**base, id=lid + "a", ts=left, wait_s=wait))
            return Mapped("mapped", kind, out)
        answer, end = self._time(row, "answer"), self._time(row, "end")
        leg = {**base, "agent": self._name(row, "agent"), "team": self._team(row)}
        wait = self._duration(row, "wait_s", answer - start)
        hold = self._duration(row, "hold_s", 0)
        talk = self._duration(row, "talk_s", end - answer - round(hold * 1000))
        out.append(ContactAnswered(**leg, id=lid + "n", ts=answer, wait_s=wait))
        if kind == "transferred":
            target = self._text(row, "transfer_to") if "transfer_to" in self.at else ""
            to_queue = target[:NAME_MAX] or "unknown"
            out.append(ContactTransferred(**leg, id=lid + "t", ts=end, to_queue=to_queue))
        out.append(ContactEnded(**leg, id=lid + "e", ts=end, talk_s=talk, hold_s=hold))
        if "acw_end" in self.at or "acw_s" in self.at:
            acw_end = self._time(row, "acw_end") if "acw_end" in self.at else None
            acw = self._duration(row, "acw_s", (acw_end or end) - end)
            ts = acw_end if acw_end is not None else end + round(acw * 1000)
            out.append(ContactWrapupEnded(**leg, id=lid + "w", ts=ts, acw_s=acw))
        return Mapped("mapped", kind, out)

    def _text(self, row: Sequence[str], field: str) -> str:
        index = self.at.get(field)
        if index is None:
            raise _Bad("missing_field", f"{field}: no column mapped")
        return row[index].strip()

    def _name(self, row: Sequence[str], field: str) -> str:
        value = self._text(row, field)
        if not value or len(value) > NAME_MAX:
            raise _Bad("missing_field", f"{field}: empty or longer than 128 characters")
        return value

    def _team(self, row: Sequence[str]) -> str:
        return self._name(row, "team") if "team" in self.at else self.m.team

    def _channel(self, row: Sequence[str]) -> Channel:
        if "channel" not in self.at:
            return self.m.channel
        value = self._text(row, "channel")
        channel = self.m.channels.get(value, value.lower())
        if channel not in ("voice", "chat", "messaging", "email"):
            raise _Bad("bad_channel", f"channel: {value!r} is not mapped to a channel")
        return channel  # type: ignore[return-value]

    def _time(self, row: Sequence[str], field: str) -> int:
        text = self._text(row, field)
        if not text:
            raise _Bad("missing_field", f"{field}: empty")
        fmt = self.m.time_format
        try:
            if fmt == "epoch":
                return round(float(text) * 1000)
            if fmt == "epoch_ms":
                return int(text)
            when = (
                dt.datetime.fromisoformat(text) if fmt == "iso" else dt.datetime.strptime(text, fmt)
            )
        except ValueError:
            raise _Bad("bad_time", f"{field}: {text[:40]!r} does not match {fmt!r}") from None
        if when.tzinfo is None:
            if self.zone is None:
                raise _Bad("bad_time", f"{field}: local time and no `timezone` in the mapping")
            when = when.replace(tzinfo=self.zone)
        return int(when.timestamp() * 1000)

    def _duration(self, row: Sequence[str], field: str, computed_ms: int) -> float:
        if field in self.at:
            text = self._text(row, field)
            try:
                value = float(text)
            except ValueError:
                raise _Bad("bad_number", f"{field}: not a number: {text[:40]!r}") from None
        else:
            value = computed_ms / 1000
        if not 0 <= value <= MAX_S:
            raise _Bad(
                "bad_order", f"{field}: {value} s is outside 0 … 7 days (times out of order?)"
            )
        return value


class _Bad(ValueError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
