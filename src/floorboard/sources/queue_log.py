"""Reading Asterisk ``queue_log`` records: the flat file and the realtime table exported as CSV.

Flat file: ``time|callid|queuename|agent|event|data1|data2|…`` with ``time`` in epoch seconds.
CSV export of the realtime table: a header naming ``time, callid, queuename, agent, event`` and
either ``data1..data5`` or one ``data`` column; ``time`` is epoch seconds or a local date-time
(the table stores local time unless ``queue_log_realtime_use_gmt``), read in the site's zone.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

from floorboard.sources.outcome import Mapped, ignored, rejected


class Line(NamedTuple):
    ts: int  # epoch ms
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]
    # ``ms|callid|queue|agent|event|data…`` without trailing empty fields: what the line's event
    # ids are made from, alike for the flat file and the CSV export of the same line.
    key: str


def line_key(ts: int, fields: Sequence[str]) -> str:
    return f"{ts}|{'|'.join(fields)}".rstrip("|")


def parse_flat(raw: bytes) -> Line | Mapped:
    """One line of the flat file (without its line end)."""
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        return rejected("bad_encoding", f"not UTF-8 at byte {exc.start}")
    fields = text.split("|")
    if len(fields) < 5:
        return rejected("truncated", f"{len(fields)} fields, at least 5 needed")
    when = fields[0]
    if not when.isdigit():
        return rejected("bad_time", f"time: not epoch seconds: {when[:40]!r}")
    ts = int(when) * 1000
    key = f"{ts}{text[len(when) :]}".rstrip("|")
    return Line(ts, fields[1], fields[2], fields[3], fields[4], tuple(fields[5:]), key)


REQUIRED_COLUMNS = ("time", "callid", "queuename", "agent", "event")


class NeedsTimezone(ValueError):
    """The export holds local date-times and no time zone was given."""


class CsvLayout:
    """Column positions of a CSV export, from its header row."""

    def __init__(self, header: Sequence[str], zone: ZoneInfo | None) -> None:
        names = [h.strip().lower() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise ValueError(f"CSV header: missing column(s) {', '.join(missing)}")
        self.header = names
        self.width = len(names)
        self.index = [names.index(c) for c in REQUIRED_COLUMNS]
        numbered = [names.index(f"data{i}") for i in range(1, 6) if f"data{i}" in names]
        self.data = numbered
        self.single = names.index("data") if "data" in names and not numbered else None
        self.zone = zone

    def parse(self, raw: bytes) -> Line | Mapped:
        try:
            text = raw.decode()
        except UnicodeDecodeError as exc:
            return rejected("bad_encoding", f"not UTF-8 at byte {exc.start}")
        try:
            row = next(csv.reader([text]))
        except (csv.Error, StopIteration) as exc:
            return rejected("truncated", f"not a CSV row: {exc}")
        if [c.strip().lower() for c in row] == self.header:
            return ignored("header")  # a rotated export starts with its header again
        if len(row) < self.width:
            return rejected("truncated", f"{len(row)} columns, {self.width} in the header")
        t, callid, queue, agent, event = (row[i] for i in self.index)
        ts = self.time_ms(t.strip())
        if ts is None:
            return rejected("bad_time", f"time: not epoch seconds or a date-time: {t[:40]!r}")
        if self.single is not None:
            data = tuple(row[self.single].split("|")) if row[self.single] else ()
        else:
            data = tuple(row[i] for i in self.data)
            while data and data[-1] == "":
                data = data[:-1]
        key = line_key(ts, (callid, queue, agent, event, *data))
        return Line(ts, callid, queue, agent, event, data, key)

    def time_ms(self, text: str) -> int | None:
        if text.isdigit():
            return int(text) * 1000
        try:
            local = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if local.tzinfo is None:
            if self.zone is None:
                raise NeedsTimezone(f"the CSV holds local times ({text!r}): give --timezone")
            # An hour repeated when clocks go back reads as its first occurrence (fold=0).
            local = local.replace(tzinfo=self.zone)
        return int(local.timestamp() * 1000)
