"""One record of every hostile class among good events on a real broker and worker: the worker
keeps applying, stays live and ready, dead-letters each bad record once, and its figures equal
the reference computed from the good events alone (issue 12, rows 1-4, 7 and 10)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from floorboard.events.codec import decode_record, encode
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.produce import EventProducer
from tests.factory import MINUTE, T0, event
from tests.hostile import YEAR_2999_MS
from tests.streams.worker.compare import comparable, differences, reference
from tests.streams.worker.harness import Pipeline
from tests.streams.worker.scenario import scenario, scenario_config

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]

QA = msgspec.json.decode(encode(event("qa.evaluation", T0, contact_id="x", score=1, max_score=2)))
HOSTILE: dict[str, bytes] = {
    "brackets": b"[" * 256 + b"]" * 256,
    "open objects": b'{"a":' * 1000,
    "huge max_score": msgspec.json.encode({**QA, "id": "h-qa", "max_score": 1e17}),
    "year 2999": encode(
        event("contact.offered", YEAR_2999_MS, contact_id="f", queue="billing", channel="voice")
    ),
    "300k elements": b"[" + b"0," * 299_999 + b"0]",
    "array of numbers": b"[1,2,3]",
    "empty batch": b"[]",
    "not UTF-8": b"\xff\xfe\x00{",
}
REASONS = {"too_deep", "out_of_range", "from_future", "too_large", "not_an_object",
           "malformed_json"}  # fmt: skip


async def test_hostile_records_among_good_events(broker: EmbeddedBroker, tmp_path: Path) -> None:
    events = scenario(contacts=150, tag="hostile")
    half = len(events) // 2
    at = max(e.ts for e in events) + MINUTE
    pipeline = Pipeline(broker, tmp_path, partitions=2, read_at=at)
    await pipeline.create_topics()
    worker = pipeline.worker("w").start()
    try:
        await worker.wait_assigned()
        async with EventProducer(pipeline.conn, pipeline.settings.events_topic,
                                 batch_events=5) as producer:  # fmt: skip
            await producer.send(events[:half])
            for partition in (0, 1):
                for raw in HOSTILE.values():
                    await (await producer.send_raw(raw, b"hostile", partition))
            await producer.send(events[half:])
        accounted = sum(
            len(good) + sum(r.count for r in bad)
            for good, bad in map(decode_record, HOSTILE.values())
        )
        records = await pipeline.wait_for_counts(
            len(events) + 2 * accounted, timeout=120, watch=[worker]
        )
        want = comparable(reference(scenario_config(), events, at))
        found = differences(comparable(records), want)
        # the figures are the good events' alone; only the pipeline counters tell of the rest
        assert [d for d in found if not d.startswith("counters[")] == []
        assert sorted(d.split("]")[0].removeprefix("counters[") for d in found) == sorted(
            ["from_future", *(f"rejected:{r}" for r in REASONS - {"from_future"})]
        )
        letters = await pipeline.dead_letters()
        assert {d.reason for d in letters} == REASONS
        assert len(letters) == 2 * (len(HOSTILE) - 1)  # one per record; `[]` is no letter
        assert max(len(d.raw) for d in letters) <= 4096
        await worker.wait_status("/readyz", 200)
        assert (await worker.status("/livez"))[0] == 200
    finally:
        worker.stop()
