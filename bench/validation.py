"""Validator choice: decode + validate canonical events with msgspec vs pydantic, same process.

The engine's hot path decodes every event, so the validator was chosen on this measurement.
Both validators parse the same bytes (a simulated 1,000-agent day) into typed objects with the same
rules (tagged union on ``type``, ranges, literals). The pydantic mirror covers the five commonest
event types, so both are measured on the records of those types. Prints events/s for each and
the ratio; ``--quick`` for the test suite.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Annotated, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bench.workload import day_events
from floorboard.events.codec import decode_record


class _P(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    v: Literal[1]
    id: Annotated[str, Field(min_length=1, max_length=128)]
    ts: Annotated[int, Field(ge=0)]
    site: Annotated[str, Field(min_length=1)]


class _PContact(_P):
    contact_id: str
    queue: str
    channel: Literal["voice", "chat", "messaging", "email"]


class POffered(_PContact):
    type: Literal["contact.offered"]


class PAnswered(_PContact):
    type: Literal["contact.answered"]
    agent: str
    team: str
    wait_s: Annotated[float, Field(ge=0)]


class PEnded(_PContact):
    type: Literal["contact.ended"]
    agent: str
    team: str
    talk_s: Annotated[float, Field(ge=0)]
    hold_s: Annotated[float, Field(ge=0)]


class PWrapup(_PContact):
    type: Literal["contact.wrapup_ended"]
    agent: str
    team: str
    acw_s: Annotated[float, Field(ge=0)]


class PSurvey(_P):
    type: Literal["survey.response"]
    contact_id: str
    csat: Annotated[int, Field(ge=1, le=5)] | None = None
    nps: Annotated[int, Field(ge=0, le=10)] | None = None
    fcr: bool | None = None
    ces: Annotated[int, Field(ge=1, le=7)] | None = None


_pydantic = TypeAdapter(
    Annotated[POffered | PAnswered | PEnded | PWrapup | PSurvey, Field(discriminator="type")]
)


def rate(fn: Callable[[bytes], object], records: list[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for raw in records:
            fn(raw)
        best = min(best, time.perf_counter() - start)
    return len(records) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small run to check the benchmark works"
    )
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    n, repeat = (2_000, 1) if args.quick else (args.events, 3)
    covered = (
        b'"contact.offered"',
        b'"contact.answered"',
        b'"contact.ended"',
        b'"contact.wrapup_ended"',
        b'"survey.response"',
    )
    records = [r for r in day_events(limit=2 * n) if any(t in r for t in covered)][:n]
    figures = {
        "events": n,
        "orjson_loads_only": rate(orjson.loads, records, repeat),
        "msgspec": rate(decode_record, records, repeat),
        "pydantic": rate(_pydantic.validate_json, records, repeat),
    }
    figures["msgspec_vs_pydantic"] = figures["msgspec"] / figures["pydantic"]
    for name, value in figures.items():
        print(f"{name:22} {value:,.1f}")
    print(json.dumps({"benchmark": "validation", **figures}))


if __name__ == "__main__":
    main()
