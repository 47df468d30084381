"""One real worker on the embedded broker: exact KPIs for a scripted hour, and dead letters."""

from __future__ import annotations

from pathlib import Path

import msgspec
import orjson
import pytest

from floorboard.engine.engine import Engine
from floorboard.events.codec import encode, encode_batch
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.produce import EventProducer
from floorboard.streams.worker.kpi import kpi_document
from tests.factory import MINUTE, event
from tests.streams.worker.compare import comparable, differences, reference
from tests.streams.worker.harness import Pipeline
from tests.streams.worker.scenario import scenario, scenario_config

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]
CONFIG = scenario_config()


async def test_a_scripted_hour_gives_exactly_the_engine_kpis(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    events = scenario(contacts=300, tag="exact")
    assert len(events) >= 1000
    at = max(e.ts for e in events) + MINUTE
    pipeline = Pipeline(broker, tmp_path, partitions=4, read_at=at)
    await pipeline.create_topics()
    worker = pipeline.worker("solo").start()
    try:
        await worker.wait_assigned()
        async with EventProducer(pipeline.conn, pipeline.settings.events_topic) as producer:
            # a mix of producer formats: single events, then batches of 10
            await producer.send(events[:400])
            producer.batch_events = 10
            await producer.send(events[400:])
        records = await pipeline.wait_for_counts(len(events), timeout=60, watch=[worker])
        want = reference(CONFIG, events, at)
        assert differences(comparable(records), comparable(want)) == []
        # /kpi serves the same figures, derived from the merged records
        kpi = await worker.http("/kpi")
        expected = orjson.loads(
            msgspec.json.encode(kpi_document(want, CONFIG, Engine(CONFIG).layout, at))
        )
        for key in ("figures", "live", "counters", "watermarks"):
            assert kpi[key] == expected[key], key
        metrics = await worker.http("/metrics")
        assert (
            f'floorboard_worker_events_total{{outcome="applied"}} {len(events) - 10}.0' in metrics
        )
        assert "floorboard_worker_duplicates_total 10.0" in metrics
    finally:
        worker.stop()


async def test_bad_events_go_to_the_dead_letter_topic_and_the_good_ones_count(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    good = scenario(contacts=40, tag="dlq")
    at = max(e.ts for e in good) + MINUTE
    pipeline = Pipeline(broker, tmp_path, partitions=2, read_at=at)
    await pipeline.create_topics()
    worker = pipeline.worker("dlq").start()
    contact = {"contact_id": "late-1", "queue": "billing", "channel": "voice"}
    recent = event("contact.offered", at, **contact)
    late = event("contact.offered", at - 30 * MINUTE, **contact)  # same key: same partition
    missing = orjson.loads(
        encode(event("contact.offered", at, contact_id="m1", queue="sales", channel="chat"))
    )
    del missing["channel"]
    unknown = {**missing, "id": "u-1", "type": "contact.teleported", "channel": "chat"}
    elsewhere = event(
        "contact.offered", at, site="bergen", contact_id="b1", queue="x", channel="voice"
    )
    bad_records = {
        "malformed_json": b'{"v":1,"id":"broken-1","type":',
        "invalid": orjson.dumps(missing),
        "unknown_type": orjson.dumps(unknown),
        "unknown_site": encode(elsewhere),
    }
    try:
        await worker.wait_assigned()
        async with EventProducer(pipeline.conn, pipeline.settings.events_topic) as producer:
            await producer.send(good[:100])
            for value in bad_records.values():
                await (await producer.send_raw(value, b"bad", partition=0))
            await producer.send(good[100:200])
            await producer.send([recent])
            # the too-late event travels inside a batch with a good one
            partition = producer.partition_for("oslo/contact/late-1")
            batch = encode_batch([late, good[200]])
            await (await producer.send_raw(batch, b"oslo/contact/late-1", partition))
            await producer.send(good[201:])
        total = len(good) + 1 + 1 + len(bad_records)
        records = await pipeline.wait_for_counts(total, timeout=60, watch=[worker])
        letters = await pipeline.dead_letters()
        by_reason = {letter.reason: letter for letter in letters}
        assert sorted(by_reason) == sorted([*bad_records, "too_late"])
        assert len(letters) == len(by_reason)  # one each, nothing silently dropped or doubled
        for reason, value in bad_records.items():
            letter = by_reason[reason]
            assert letter.raw == value and letter.key == b"bad"
            assert (letter.topic, letter.partition) == (pipeline.settings.events_topic, 0)
        assert by_reason["invalid"].message.endswith("channel: required field is missing")
        assert by_reason["unknown_type"].event_type == "contact.teleported"
        assert "bergen" in by_reason["unknown_site"].message
        too_late = by_reason["too_late"]
        assert too_late.event_id == late.id and too_late.batch
        assert orjson.loads(too_late.raw) == orjson.loads(encode(late))
        assert too_late.partition == partition
        offsets = {letter.offset for letter in letters if letter.partition == 0}
        assert len(offsets) == 4  # each bad record names its own source offset
        # the good events around the bad ones are all counted, exactly as the engine counts them
        engine_view = reference(CONFIG, [*good, recent], at)
        got, want = comparable(records), comparable(engine_view)
        counters = got.pop("counters")
        assert differences(got, {k: v for k, v in want.items() if k != "counters"}) == []
        assert counters["applied"] == want["counters"]["applied"]
        for reason in ("malformed_json", "invalid", "unknown_type"):
            assert counters[f"rejected:{reason}"] == 1
        assert counters["too_late"] == counters["unknown_site"] == 1
        metrics = await worker.http("/metrics")
        for reason in [*bad_records, "too_late"]:
            assert f'floorboard_worker_dead_letters_total{{reason="{reason}"}} 1.0' in metrics
    finally:
        worker.stop()
