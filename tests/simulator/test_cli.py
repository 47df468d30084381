"""The simulate and replay commands: files, pacing, and a real Kafka topic."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka import TopicPartition

from floorboard.cli import main
from simulator.emit import paced
from simulator.feed import Record
from streams.broker import EmbeddedBroker
from streams.events.codec import decode_record, encode
from streams.kafka import KafkaConnection
from streams.readback import read_to_end, reader
from tests.simulator.helpers import REPO

CONFIG = str(REPO / "deploy" / "floorboard.example.yaml")
ARGS = [
    "simulate",
    "--config",
    CONFIG,
    "--start",
    "2026-11-23T09:00",
    "--duration",
    "30m",
    "--seed",
    "4",
]


def test_simulate_to_file_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main([*ARGS, "--out", str(a)]) == 0
    assert main([*ARGS, "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_bytes().splitlines()
    assert len(lines) > 500
    assert all(decode_record(line)[1] == [] for line in lines)


def test_pacing_keeps_gaps_scaled_by_speed() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    recs = [Record("k", b"{}", ms) for ms in (0, 0, 60_000, 120_000, 120_500)]
    batches = list(paced(recs, 60.0, 0, clock=lambda: now[0], sleep=sleep))
    assert [len(b) for b in batches] == [2, 1, 2]  # the last two are 0.5 s apart: 8 ms at 60×
    assert slept == pytest.approx([1.0, 1.0])
    assert list(paced(recs, None, 0, clock=lambda: 0.0, sleep=sleep)) == [recs]


def test_replay_reemits_the_file(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    recorded = tmp_path / "day.jsonl"
    assert main([*ARGS, "--out", str(recorded)]) == 0
    capfd.readouterr()
    assert main(["replay", str(recorded), "--speed", "max"]) == 0
    assert capfd.readouterr().out.encode() == recorded.read_bytes()
    assert main(["replay", str(tmp_path / "missing.jsonl")]) == 2


def test_simulate_into_kafka_in_batches(broker: EmbeddedBroker, tmp_path: Path) -> None:
    recorded = tmp_path / "day.jsonl"
    assert main([*ARGS, "--out", str(recorded)]) == 0
    expected = sorted(recorded.read_bytes().splitlines())
    topic = "sim-batches"
    assert main([*ARGS, "--bootstrap", broker.bootstrap, "--topic", topic, "--batch", "25"]) == 0

    async def read_back() -> list[bytes]:
        consumer = reader(KafkaConnection(broker.bootstrap))
        await consumer.start()
        try:
            parts = consumer.partitions_for_topic(topic) or set()
            out: list[bytes] = []
            start = {TopicPartition(topic, p): 0 for p in parts}
            async for records in read_to_end(consumer, start):
                for record in records:
                    events, bad = decode_record(record.value)
                    assert bad == []
                    assert record.value.startswith(b"[")  # --batch sends arrays
                    out += [encode(e) for e in events]
            return out
        finally:
            await consumer.stop()

    got = asyncio.run(read_back())
    assert sorted(got) == expected
