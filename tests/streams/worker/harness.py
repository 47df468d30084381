"""Running real workers against the embedded broker: processes, topics, and waiting for results."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml
from aiokafka import TopicPartition

from floorboard.config import RuntimeSettings
from floorboard.engine.engine import Outcome
from floorboard.engine.snapshot import Snapshot, SourceStatus
from floorboard.engine.views import merge
from floorboard.streams.broker import EmbeddedBroker, free_port
from floorboard.streams.broker_cli import client_environment, secure_settings
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.readback import latest_by_key, read_to_end, reader, topic_partitions
from floorboard.streams.topics import checkpoint_topic_name, ensure_topics, shared_topics
from floorboard.streams.worker.checkpoint import CheckpointStore, Restored, kafka_reader
from floorboard.streams.worker.deadletter import DeadLetter
from tests.streams.worker.scenario import CONFIG_DATA

ROOT = Path(__file__).resolve().parents[3]
OUTCOME_COUNTERS = get_args(Outcome)


@dataclass
class Pipeline:
    """One test's topics on a broker, the worker group's settings, and its config file."""

    broker: EmbeddedBroker
    workdir: Path
    partitions: int = 4
    read_at: int | None = None
    name: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    worker_env: dict[str, str] = field(default_factory=dict)  # FLOORBOARD_WORKER_* overrides

    @property
    def settings(self) -> RuntimeSettings:
        topics = RuntimeSettings(
            events_topic=f"t{self.name}.events",
            events_partitions=self.partitions,
            snapshots_topic=f"t{self.name}.snapshots",
            agents_topic=f"t{self.name}.agents",
            deadletter_topic=f"t{self.name}.deadletter",
        )
        return secure_settings(self.broker, topics)  # TLS with the broker's CA when it has one

    @property
    def conn(self) -> KafkaConnection:
        return KafkaConnection.from_settings(self.settings)

    @property
    def app_id(self) -> str:
        return f"t{self.name}-worker"

    @property
    def config_path(self) -> Path:
        path = self.workdir / "floorboard.yaml"
        if not path.exists():
            path.write_text(yaml.safe_dump(CONFIG_DATA), encoding="utf-8")
        return path

    async def create_topics(self) -> None:
        await ensure_topics(self.conn, shared_topics(self.settings))

    def env(self) -> dict[str, str]:
        s = self.settings
        env = {
            **os.environ,
            **client_environment(s),
            "FLOORBOARD_EVENTS_TOPIC": s.events_topic,
            "FLOORBOARD_EVENTS_PARTITIONS": str(s.events_partitions),
            "FLOORBOARD_SNAPSHOTS_TOPIC": s.snapshots_topic,
            "FLOORBOARD_AGENTS_TOPIC": s.agents_topic,
            "FLOORBOARD_DEADLETTER_TOPIC": s.deadletter_topic,
            "FLOORBOARD_WORKER_APP_ID": self.app_id,
            "FLOORBOARD_WORKER_SESSION_TIMEOUT_S": "10",
            "PYTHONPATH": str(ROOT),
        }
        if self.read_at is not None:
            env["FLOORBOARD_WORKER_READ_AT"] = str(self.read_at)
        return {**env, **self.worker_env}

    def worker(self, label: str) -> WorkerProcess:
        return WorkerProcess(self, label)

    async def snapshots(self) -> list[Snapshot]:
        from floorboard.engine.snapshot import decode

        records = []
        for topic in (self.settings.snapshots_topic, self.settings.agents_topic):
            latest = await latest_by_key(self.conn, topic)
            records += [decode(v) for v in latest.values()]
        return records

    async def checkpoint(self, partition: int) -> Restored:
        topic = checkpoint_topic_name(self.app_id)
        return await CheckpointStore(topic, kafka_reader(self.conn, topic), _no_send).load(
            partition
        )

    async def end_offset(self, partition: int) -> int:
        """The events partition's high-water mark, from a fetch."""
        consumer = reader(self.conn)
        await consumer.start()
        try:
            tp = TopicPartition(self.settings.events_topic, partition)
            end = 0
            async for batch in read_to_end(consumer, {tp: 0}):
                end = batch[-1].offset + 1
            return end
        finally:
            await consumer.stop()

    async def dead_letters(self) -> list[DeadLetter]:
        topic = self.settings.deadletter_topic
        consumer = reader(self.conn)
        await consumer.start()
        out: list[DeadLetter] = []
        try:
            tps = await topic_partitions(self.conn, topic)
            async for batch in read_to_end(consumer, dict.fromkeys(tps, 0)):
                for r in batch:
                    out.append(DeadLetter.from_record(r.key, r.value, list(r.headers)))
        finally:
            await consumer.stop()
        return out

    async def wait_for_counts(
        self, expected: int, timeout: float, watch: list[WorkerProcess] | None = None
    ) -> list[Snapshot]:
        """Snapshot records once every partition reports ``expected`` events handled in total."""
        deadline = time.monotonic() + timeout
        seen = -1
        while True:
            records = await self.snapshots()
            statuses = [r for r in records if isinstance(r, SourceStatus)]
            counters = merge(statuses).counters
            seen = sum(v for k, v in counters.items() if k in OUTCOME_COUNTERS)
            seen += sum(v for k, v in counters.items() if k.startswith("rejected:"))
            if len(statuses) == self.partitions and seen >= expected:
                return records
            for w in watch or []:
                w.assert_alive()
            if time.monotonic() > deadline:
                logs = "\n".join(w.tail() for w in watch or [])
                raise AssertionError(
                    f"{seen} of {expected} events reported by {len(statuses)} partitions "
                    f"after {timeout:.0f} s\n{logs}"
                )
            await asyncio.sleep(0.5)


async def _no_send(*_args: Any) -> Any:
    raise AssertionError("read only")


class WorkerProcess:
    """``floorboard worker`` as a child process with its own web port and log file."""

    def __init__(self, pipeline: Pipeline, label: str) -> None:
        self.pipeline = pipeline
        self.label = label
        self.port = free_port()
        self.log_path = pipeline.workdir / f"worker-{label}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, module: str = "floorboard.cli") -> WorkerProcess:
        self.port = free_port()
        log = self.log_path.open("ab")
        cmd = [sys.executable, "-m", module, "worker",
               "--config", str(self.pipeline.config_path), "--web-port", str(self.port)]  # fmt: skip
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=self.pipeline.env(), stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    def kill(self) -> None:
        """SIGKILL: no final checkpoint, no goodbye to the group."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)

    def assert_alive(self) -> None:
        assert self.process is not None
        code = self.process.poll()
        if code is not None:
            raise AssertionError(f"worker {self.label} exited with {code}\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return f"--- worker {self.label} ---\n" + "\n".join(text[-lines:])

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as resp:
            body = resp.read()
        return json.loads(body) if path != "/metrics" else body.decode()

    async def http(self, path: str) -> Any:
        return await asyncio.to_thread(self.get, path)

    async def status(self, path: str) -> tuple[int, Any]:
        """HTTP status and JSON body, 503 included (``get`` raises on it)."""
        try:
            return 200, await self.http(path)
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    async def wait_status(self, path: str, code: int, timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            self.assert_alive()
            with contextlib.suppress(urllib.error.URLError, ConnectionError):
                found, body = await self.status(path)
                if found == code:
                    return body
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{path} did not answer {code} in {timeout:.0f} s\n{self.tail()}"
                )
            await asyncio.sleep(0.3)

    async def wait_until(
        self, check: Callable[[dict[str, Any]], bool], timeout: float = 60.0
    ) -> dict[str, Any]:
        """Poll /healthz until ``check`` accepts it."""
        deadline = time.monotonic() + timeout
        while True:
            self.assert_alive()
            try:
                health: dict[str, Any] = await self.http("/healthz")
                if check(health):
                    return health
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"worker {self.label} not ready in {timeout:.0f} s\n{self.tail()}"
                )
            await asyncio.sleep(0.3)

    async def wait_assigned(self, timeout: float = 60.0) -> list[int]:
        health = await self.wait_until(lambda h: bool(h["partitions"]), timeout)
        return list(health["partitions"])
