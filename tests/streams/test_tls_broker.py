"""The embedded broker served only through TLS: the whole pipeline over it, and who is refused."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from floorboard.cli import main
from floorboard.config import RuntimeSettings
from floorboard.engine.views import merge
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.certs import create_server_tls
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.produce import EventProducer
from floorboard.streams.readback import read_to_end, reader, topic_partitions
from floorboard.streams.topics import TopicSpec, ensure_topics
from floorboard.wallboard.reader import SnapshotReader
from floorboard.wallboard.store import RecordStore
from tests.factory import MINUTE
from tests.streams.worker.compare import comparable, differences, reference
from tests.streams.worker.harness import Pipeline
from tests.streams.worker.scenario import scenario, scenario_config

pytestmark = [pytest.mark.broker, pytest.mark.timeout(240)]
CONFIG = scenario_config()


def tls_settings(broker: EmbeddedBroker) -> RuntimeSettings:
    assert broker.tls is not None
    return RuntimeSettings(
        broker=broker.bootstrap, security_protocol="SSL", ssl_cafile=broker.tls.ca
    )


async def test_the_pipeline_over_tls_gives_the_figures_of_plaintext(
    broker: EmbeddedBroker, secure_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    events = scenario(contacts=120, tag="tls")
    at = max(e.ts for e in events) + MINUTE
    plain = Pipeline(broker, tmp_path / "plain", partitions=2, read_at=at)
    secure = Pipeline(secure_broker, tmp_path / "tls", partitions=2, read_at=at)
    assert secure.settings.security_protocol == "SSL"  # worker, producer and readers use TLS
    for p in (plain, secure):
        p.workdir.mkdir()
        await p.create_topics()
    workers = [plain.worker("plain").start(), secure.worker("tls").start()]
    try:
        await asyncio.gather(*(w.wait_assigned(timeout=120) for w in workers))
        for p in (plain, secure):
            async with EventProducer(p.conn, p.settings.events_topic) as producer:
                await producer.send(events)
        over_plain, over_tls = await asyncio.gather(
            plain.wait_for_counts(len(events), timeout=120, watch=workers),
            secure.wait_for_counts(len(events), timeout=120, watch=workers),
        )
        assert differences(comparable(over_tls), comparable(over_plain)) == []
        assert differences(comparable(over_tls), comparable(reference(CONFIG, events, at))) == []
        # the wallboard's reader over TLS sees the same queues
        store = RecordStore(over_tls[0].layout)
        topics = (secure.settings.snapshots_topic, secure.settings.agents_topic)
        task = asyncio.create_task(SnapshotReader(secure.conn, *topics)(store))
        deadline = time.monotonic() + 60
        want = merge(over_tls)
        while store.views(int(time.time() * 1000)).queues != want.queues:
            assert time.monotonic() < deadline, "the wallboard reader saw nothing over TLS"
            await asyncio.sleep(0.5)
        task.cancel()
        assert store.views(int(time.time() * 1000)).teams.keys() == want.teams.keys()
    finally:
        for w in workers:
            w.stop()


async def _count(conn: KafkaConnection, topic: str) -> int:
    consumer = reader(conn)
    await consumer.start()
    try:
        tps = await topic_partitions(conn, topic)
        return sum([len(b) async for b in read_to_end(consumer, dict.fromkeys(tps, 0))])
    finally:
        await consumer.stop()


async def test_simulate_and_replay_send_over_tls_from_the_environment(
    secure_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert secure_broker.tls is not None
    topic = f"tls-{uuid.uuid4().hex[:8]}"
    conn = KafkaConnection.from_settings(tls_settings(secure_broker))
    await ensure_topics(conn, [TopicSpec(topic, 1)])
    monkeypatch.setenv("FLOORBOARD_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("FLOORBOARD_SSL_CAFILE", str(secure_broker.tls.ca))
    config = tmp_path / "floorboard.yaml"
    config.write_text("sites:\n  oslo:\n    timezone: Europe/Oslo\n    queues: {billing: {}}\n")
    recording = tmp_path / "day.jsonl"
    common = ["--config", str(config), "--start", "2026-11-23T09:00", "--duration", "20m"]
    assert await asyncio.to_thread(main, ["simulate", *common, "--out", str(recording)]) == 0
    lines = len(recording.read_text().splitlines())
    assert lines > 50
    sim = ["simulate", *common, "--bootstrap", secure_broker.bootstrap, "--topic", topic]
    assert await asyncio.to_thread(main, sim) == 0
    replay = ["replay", str(recording), "--speed", "max", "--topic", topic,
              "--bootstrap", secure_broker.bootstrap]  # fmt: skip
    assert await asyncio.to_thread(main, replay) == 0
    assert await _count(conn, topic) == 2 * lines


async def _refused(conn: KafkaConnection) -> None:
    producer = AIOKafkaProducer(**conn.client_kwargs(), request_timeout_ms=5000)
    try:
        with pytest.raises(KafkaConnectionError):
            await producer.start()
    finally:
        await producer.stop()


async def test_a_plaintext_client_is_refused(secure_broker: EmbeddedBroker) -> None:
    await _refused(KafkaConnection(secure_broker.bootstrap))


async def test_a_client_not_trusting_the_private_ca_is_refused(
    secure_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    # the system's CAs, then another private CA: neither signed the broker's certificate
    await _refused(KafkaConnection(secure_broker.bootstrap, security_protocol="SSL"))
    other = create_server_tls(tmp_path / "other", ["127.0.0.1"])
    await _refused(
        KafkaConnection(secure_broker.bootstrap, security_protocol="SSL", ssl_cafile=other.ca)
    )
    # …while the broker's own CA is accepted (so the refusals above are about trust)
    producer = AIOKafkaProducer(**KafkaConnection.from_settings(tls_settings(secure_broker))
                                .client_kwargs())  # fmt: skip
    await producer.start()
    await producer.stop()


def test_the_tls_material_is_owner_only(secure_broker: EmbeddedBroker) -> None:
    assert secure_broker.tls is not None
    assert secure_broker.tls.directory.stat().st_mode & 0o077 == 0
    assert secure_broker.tls.key.stat().st_mode & 0o077 == 0
    assert {p.name for p in secure_broker.tls.directory.iterdir()} == {
        "ca.pem", "server.pem", "server-key.pem"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tls-dir", "x"], "floorboard broker: --tls-dir: only with --secure\n"),
        (
            ["--secure", "--tls-dir", "/dev/null/tls"],
            "floorboard broker: --tls-dir: Not a directory: /dev/null/tls\n",
        ),
    ],
)
def test_bad_tls_arguments_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["broker", *argv]) == 2
    assert capsys.readouterr().err == message
