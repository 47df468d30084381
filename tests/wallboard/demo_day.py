"""The demo's morning as the wallboard sees it: ``floorboard demo``'s simulator (example
configuration, normal scenario, the demo's seed) from 07:00 on a Monday, applied by the engine
the worker runs and published as the worker's snapshot records, read at Tuesday's lunch peak
(Monday is "yesterday at this time")."""

from __future__ import annotations

import datetime as dt
import functools

from floorboard.engine.day import day_records
from floorboard.engine.engine import Engine
from floorboard.engine.read import layout_id, snapshot
from floorboard.simulator import generate
from floorboard.wallboard.store import RecordStore
from tests.wallboard.data import example_config

DEMO_SEED = 7  # floorboard demo's default --seed
ZONE = example_config().sites["oslo"].zone
MONDAY_7 = int(dt.datetime(2026, 11, 23, 7, tzinfo=ZONE).timestamp() * 1000)
LUNCH = int(dt.datetime(2026, 11, 24, 12, 10, tzinfo=ZONE).timestamp() * 1000)


@functools.cache
def demo_store(at: int = LUNCH) -> RecordStore:
    cfg = example_config()
    engine = Engine(cfg)
    for event in generate(cfg, "normal", MONDAY_7, at - MONDAY_7, DEMO_SEED):
        engine.apply(event)
    store = RecordStore(layout_id(engine.layout), max_age_ms=10**12)
    store.add_all(snapshot(engine, at, "p0"), at)
    store.add_all(day_records(engine, at, "p0"), at)
    return store
