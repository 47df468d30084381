"""From simulated events to the records a feed delivers: encoding, outages and dirt.

A feed outage holds records back and then delivers them all at once (late, as a reconnecting
ACD would); a dirty feed corrupts a share of records. Both are faults the pipeline must survive.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson

from floorboard.events.codec import encode
from floorboard.events.model import Event, partition_key
from floorboard.simulator.scenario import Scenario

LATE_BY_MS = 3 * 3_600_000  # far beyond any sensible allowed lateness


@dataclass(frozen=True, slots=True)
class Record:
    """One record to deliver: its key, its bytes, and the simulated time it is sent at."""

    key: str
    value: bytes
    send_ms: int


def records(
    events: Iterable[Event], scenario: Scenario, start_ms: int, seed: int
) -> Iterator[Record]:
    """The scenario's feed: each event encoded under its partition key, faults applied."""
    rng = random.Random(seed ^ 0x5EED)  # its own stream: faults never change the simulation
    held: list[Record] = []
    outage = None
    if scenario.outage_start_min is not None and scenario.outage_minutes > 0:
        begin = start_ms + round(scenario.outage_start_min * 60_000)
        outage = (begin, begin + round(scenario.outage_minutes * 60_000))
    for event in events:
        record = Record(partition_key(event), encode(event), event.ts)
        if outage is not None:
            if outage[0] <= event.ts < outage[1]:
                held.append(record)
                continue
            if event.ts >= outage[1] and held:
                yield from (Record(r.key, r.value, event.ts) for r in held)
                held.clear()
        if scenario.dirty_share and rng.random() < scenario.dirty_share:
            yield from _dirty(rng, record)
        else:
            yield record
    yield from held


def _dirty(rng: random.Random, record: Record) -> Iterator[Record]:
    """One of: malformed JSON, a duplicate, a far-too-late copy, an unknown type."""
    kind = rng.randrange(4)
    if kind == 0:
        yield Record(record.key, record.value[: max(1, len(record.value) // 2)], record.send_ms)
    elif kind == 1:
        yield record
        yield record  # the same id twice
    else:
        body = orjson.loads(record.value)
        body["id"] = f"{body['id']}-x"
        if kind == 2:
            # A valid event, only far too late: times it carries move back with it.
            for name in ("ts", "received_ts"):
                if name in body:
                    body[name] = max(0, body[name] - LATE_BY_MS)
        else:
            body["type"] = "contact.teleported"
        yield record
        yield Record(record.key, orjson.dumps(body), record.send_ms)
