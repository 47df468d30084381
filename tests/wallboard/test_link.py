"""The wallboard's connection to the broker: an outage is shown apart from stale data, the reader
reconnects by itself, and no consumer is left unclosed."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from textual.widgets import Static

from floorboard.engine.snapshot import AgentRoster, encode
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.kafka import KafkaConnection
from floorboard.wallboard.app import WallboardApp
from floorboard.wallboard.link import Link
from floorboard.wallboard.reader import SnapshotReader
from floorboard.wallboard.store import RecordStore
from tests.helpers import free_port
from tests.wallboard.data import NOW, example_config, records, store


async def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def test_unreachable_broker_is_named_apart_from_stale_data() -> None:
    cfg = example_config()
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    reader = SnapshotReader(KafkaConnection(address), "floorboard.snapshots", retry_s=0.1)
    empty = RecordStore(store(cfg).layout_id)
    app = WallboardApp(cfg, empty, reader=reader, link=reader.link, refresh_s=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: reader.link.down_since_ms is not None)
        app.refresh_board()
        await pilot.pause()
        offline = app.query_one("#offline", Static)
        assert offline.has_class("-visible")
        text = str(offline.render())
        assert "CANNOT REACH THE BROKER" in text and address in text
        assert "unreachable since" in text and "no data received yet" in text
        assert not app.query_one("#stale", Static).has_class("-visible")


async def test_failed_connections_leave_no_unclosed_consumer() -> None:
    reader = SnapshotReader(KafkaConnection(f"127.0.0.1:{free_port()}"), "t", retry_s=0.05)
    task = asyncio.create_task(reader(RecordStore("layout")))
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert reader.link.down_since_ms is not None
    # Logged exceptions keep the failed consumers alive here, so look at them instead of
    # waiting for the "Unclosed AIOKafkaConsumer" warning of their finaliser.
    consumers = [o for o in gc.get_objects() if isinstance(o, AIOKafkaConsumer)]
    assert consumers and all(c._closed for c in consumers)


async def test_stale_banner_without_outage_when_the_broker_answers() -> None:
    cfg = example_config()
    link = Link("broker:9092")
    link.mark_up()
    app = WallboardApp(cfg, store(cfg), link=link, clock=lambda: NOW + 60_000, refresh_s=3600)
    async with app.run_test(size=(120, 40)):
        assert app.query_one("#stale", Static).has_class("-visible")
        assert not app.query_one("#offline", Static).has_class("-visible")


def test_outage_keeps_its_first_date_across_retries() -> None:
    link = Link("b:1")
    link.mark_down(1000, "refused")
    link.mark_down(5000, "refused again")
    assert (link.down_since_ms, link.error) == (1000, "refused again")
    link.mark_up()
    link.mark_down(9000, "gone")
    assert link.down_since_ms == 9000


@pytest.mark.broker
async def test_reader_reconnects_after_a_hung_broker(
    fresh_broker: Callable[[], EmbeddedBroker],
) -> None:
    broker = fresh_broker()
    cfg = example_config()
    topic = "wallboard-link"
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        for record in records(cfg):
            await producer.send_and_wait(topic, encode(record))
    finally:
        await producer.stop()
    target = RecordStore(store(cfg).layout_id)
    reader = SnapshotReader(
        KafkaConnection(broker.bootstrap), topic, retry_s=0.2, probe_after_s=0.5,
        probe_timeout_s=1.0,
    )  # fmt: skip
    task = asyncio.create_task(reader(target))
    try:
        await wait_for(lambda: target.last_received_ms is not None)
        assert reader.link.up
        broker.pause()
        try:
            await wait_for(lambda: reader.link.down_since_ms is not None)
            assert broker.bootstrap in reader.link.error
        finally:
            broker.resume()
        await wait_for(lambda: reader.link.up)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.broker
async def test_a_topic_that_appears_later_is_read_without_holding_up_the_others(
    fresh_broker: Callable[[], EmbeddedBroker],
) -> None:
    # A supervisor's board reads the snapshots and the agents topic; before the agents topic
    # exists (no worker has created it yet) the snapshots must still reach the board.
    broker = fresh_broker()
    cfg = example_config()
    rosters = [r for r in records(cfg) if isinstance(r, AgentRoster)]
    others = [r for r in records(cfg) if not isinstance(r, AgentRoster)]
    assert rosters and others
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    target = RecordStore(store(cfg).layout_id)
    reader = SnapshotReader(KafkaConnection(broker.bootstrap), "late-snapshots", "late-agents")
    task = asyncio.create_task(reader(target))
    try:
        for record in others:
            await producer.send_and_wait("late-snapshots", encode(record))
        await wait_for(lambda: len(target._records) == len(others))
        for roster in rosters:  # creates the second topic
            await producer.send_and_wait("late-agents", encode(roster))
        await wait_for(lambda: len(target._records) == len(others) + len(rosters))
        assert target.views(NOW).teams  # still merged into one picture
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await producer.stop()
