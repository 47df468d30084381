"""In-memory stand-ins for Kafka: an append-only log per (topic, partition) that can be told to
drop records (a crash mid-write) and a consumer that records seeks."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from floorboard.streams.worker.checkpoint import LogRecord


@dataclass(frozen=True)
class Metadata:
    offset: int


@dataclass(frozen=True)
class Stored:
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


class MemoryLog:
    """Implements the runtime's Sink and the checkpoint store's send/read functions."""

    def __init__(self) -> None:
        self.logs: dict[tuple[str, int], list[Stored]] = defaultdict(list)
        self.accept: int | None = None  # when set, only this many more records are kept
        self.failures: dict[str, int] = {}  # topic -> sends to fail before accepting again

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def flush(self) -> None:
        pass

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        log = self.logs[(topic, partition or 0)]
        if self.failures.get(topic, 0) > 0:
            self.failures[topic] -= 1
            future.set_exception(ConnectionError("not delivered"))
            return future
        if self.accept is not None:
            if self.accept <= 0:
                future.set_exception(ConnectionError("broker gone"))
                return future
            self.accept -= 1
        log.append(Stored(key, value, tuple(headers or ())))
        future.set_result(Metadata(len(log) - 1))
        return future

    async def send_many(
        self, topic: str, partition: int, items: Sequence[tuple[bytes, bytes | None]]
    ) -> asyncio.Future[int]:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        end = 0
        for key, value in items:
            sent = await self.send(topic, key, value, partition)
            if sent.exception() is not None:
                done.set_exception(sent.exception() or ConnectionError())
                return done
            end = sent.result().offset + 1
        done.set_result(end)
        return done

    def reader(self, topic: str) -> Any:
        async def read_from(partition: int, start: int) -> list[LogRecord]:
            log = self.logs[(topic, partition)]
            return [(i, r.key, r.value) for i, r in enumerate(log) if i >= start]

        return read_from

    def records(self, topic: str) -> list[Stored]:
        return [r for (t, _), log in sorted(self.logs.items()) if t == topic for r in log]


class RecordingConsumer:
    def __init__(self) -> None:
        self.seeks: list[tuple[int, int]] = []
        self.highwaters: dict[int, int] = {}
        self.log_starts: dict[int, int] = {}
        self.answering = True  # False: the broker does not answer offsets requests

    async def seek(self, partition: int, offset: int) -> None:
        self.seeks.append((partition, offset))

    def highwater(self, partition: int) -> int | None:
        return self.highwaters.get(partition)

    async def earliest(self, partitions: list[int]) -> dict[int, int]:
        if not self.answering:
            raise ConnectionError("broker not answering")
        return {p: self.log_starts.get(p, 0) for p in partitions}
