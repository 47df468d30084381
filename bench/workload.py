"""Benchmark workloads from the simulator: realistic event mixes, encoded as a feed sends them."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from pathlib import Path
from typing import Any

from floorboard.config import EXAMPLE_CONFIG, Config, RuntimeSettings, load_config
from floorboard.events.codec import encode
from floorboard.events.model import Event
from floorboard.simulator import SCENARIOS, Scenario, generate
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.produce import EventProducer
from floorboard.streams.topics import ensure_topics, shared_topics

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
# Monday 2026-11-23 00:00 Europe/Oslo
DAY_START_MS = 1795388400000
DAY_MS = 24 * 3_600_000


def report(result: dict[str, Any], out: Path | None = None) -> None:
    """Print ``result`` a figure a line and write it as JSON to ``out``, by default
    bench/results/<benchmark>.json."""
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:{width}} {value}")
    out = out or RESULTS / f"{result['benchmark']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


def config() -> Config:
    return load_config(EXAMPLE_CONFIG)


def centre(agents: int = 1000) -> Scenario:
    """A normal day scaled to about ``agents`` agents (the example config has 39 at scale 1)."""
    scale = agents / 39
    return SCENARIOS["normal"].replace(agents_per_team=round(agents / 3), rate_factor=scale * 1.0)


def day_events(agents: int = 1000, seed: int = 1, limit: int | None = None) -> list[bytes]:
    """One simulated day's events, encoded, in time order (cut at ``limit`` if given)."""
    out: list[bytes] = []
    for event in generate(config(), centre(agents), DAY_START_MS, DAY_MS, seed):
        out.append(encode(event))
        if limit is not None and len(out) >= limit:
            break
    return out


def bench_settings(bootstrap: str, tag: str, partitions: int = 4) -> RuntimeSettings:
    """Settings for a run's own events, snapshots and dead-letter topics, named ``tag.*``."""
    return RuntimeSettings(
        broker=bootstrap,
        events_topic=f"{tag}.events",
        events_partitions=partitions,
        snapshots_topic=f"{tag}.snapshots",
        deadletter_topic=f"{tag}.deadletter",
    )


def simulated(total: int, agents: int = 1000, seed: int = 1) -> list[Event]:
    """The first ``total`` events of consecutive simulated days from ``DAY_START_MS``."""
    days = generate(config(), centre(agents), DAY_START_MS, 366 * DAY_MS, seed)
    return list(itertools.islice(days, total))


async def fill(
    settings: RuntimeSettings, events: list[Event], batch: int
) -> tuple[list[tuple[int, bytes, bytes]], float]:
    """Create the topics and produce ``events`` in records of ``batch``; (records, seconds)."""
    conn = KafkaConnection.from_settings(settings)
    await ensure_topics(conn, shared_topics(settings))
    async with EventProducer(conn, settings.events_topic, batch_events=batch) as producer:
        records = producer.records(events)
        started = time.perf_counter()
        chunk = 5000
        for i in range(0, len(records), chunk):
            futures = [await producer.send_raw(v, k, p) for p, k, v in records[i : i + chunk]]
            await asyncio.gather(*futures)
        return records, time.perf_counter() - started
