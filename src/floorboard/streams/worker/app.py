"""The Faust app: the events topic's fetched batches to the runtime, plus signals, timers and web.

Faust supplies the consumer group, fetching, timers and the web server. Offsets
are ours: on assignment the runtime restores each partition from its checkpoint and seeks there,
and records delivered from anywhere else (Faust seeks to its committed offsets after assignment)
are skipped or trigger another seek; Faust's commits are never relied on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import faust
import msgspec
from faust.types import TP
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr

from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.worker import transport
from floorboard.streams.worker.auth import authorized
from floorboard.streams.worker.connection import faust_broker, faust_credentials
from floorboard.streams.worker.kpi import kpi_document
from floorboard.streams.worker.metrics import build_registry
from floorboard.streams.worker.partition import SEEK_RETRY_S
from floorboard.streams.worker.runtime import WorkerRuntime
from floorboard.streams.worker.settings import WorkerSettings

log = logging.getLogger(__name__)


class FaustConsumer:
    """Seek and high-water mark of the app's consumer, by partition number of the events topic."""

    def __init__(self, app: Any, topic: str) -> None:
        self._app = app
        self._topic = topic

    async def seek(self, partition: int, offset: int) -> None:
        try:
            await self._app.consumer.seek_wait({TP(self._topic, partition): offset})
        except Exception as exc:  # not (or no longer) assigned: the next assignment seeks again
            log.warning("seek %s:%d -> %d failed: %r", self._topic, partition, offset, exc)

    def highwater(self, partition: int) -> int | None:
        try:
            value = self._app.consumer.highwater(TP(self._topic, partition))
        except Exception:
            return None
        return int(value) if value is not None else None


def create_app(
    runtime: WorkerRuntime,
    conn: KafkaConnection,
    worker: WorkerSettings,
    web_port: int,
    data_dir: Path,
    token: SecretStr | None = None,
) -> Any:
    topic_name = runtime.topic
    app = faust.App(
        worker.app_id,
        broker=faust_broker(conn),
        broker_credentials=faust_credentials(conn),
        key_serializer="raw",
        value_serializer="raw",
        store="memory://",
        datadir=str(data_dir),
        web_enabled=True,
        web_bind=worker.web_host,
        web_host=worker.web_host,
        web_port=web_port,
        topic_disable_leader=True,  # no leader election topic: nothing here runs on a leader
        topic_allow_declare=False,  # topics are created up front with their partition counts
        broker_session_timeout=worker.session_timeout_s,
        broker_heartbeat_interval=max(1.0, worker.session_timeout_s / 5),
        # Members that do not rejoin within this are dropped from a rebalance.
        broker_rebalance_timeout=worker.session_timeout_s,
        consumer_auto_offset_reset="earliest",
        broker_max_poll_records=worker.batch_max_records,
        consumer_max_fetch_size=worker.fetch_partition_bytes,
        table_standby_replicas=0,
    )
    # The events topic is subscribed but never streamed: its fetched records go to the runtime
    # a whole batch at a time from the consumer's fetch loop (transport.py).
    transport.install(app, worker.fetch_max_wait_ms, topic_name, runtime.handle)
    app.topics.add(app.topic(topic_name, key_serializer="raw", value_serializer="raw"))
    runtime.consumer = FaustConsumer(app, topic_name)
    registry = build_registry(runtime)

    # Signal receivers are called as (sender, *args, signal=..., **kwargs).
    async def on_assigned(_sender: Any, *args: Any, signal: Any, **_kwargs: Any) -> None:
        await runtime.assign(tp.partition for tp in args[0] if tp.topic == topic_name)

    async def on_revoked(_sender: Any, *args: Any, signal: Any, **_kwargs: Any) -> None:
        await runtime.revoke(tp.partition for tp in args[0] if tp.topic == topic_name)

    async def on_shutdown(_sender: Any, *_args: Any, signal: Any, **_kwargs: Any) -> None:
        await runtime.close()

    # mode's SignalHandlerT is spelled with mypy_extensions arg types current mypy rejects.
    cast(Any, app.on_partitions_assigned).connect(on_assigned)
    cast(Any, app.on_partitions_revoked).connect(on_revoked)
    cast(Any, app.on_before_shutdown).connect(on_shutdown)

    async def checkpoint_tick() -> None:
        await runtime.checkpoint_all()

    async def publish_tick() -> None:
        try:
            await runtime.publish()
        except Exception as exc:  # a timer that raises would stop for good
            log.warning("snapshot publish failed: %r", exc)

    async def resume_tick() -> None:
        try:
            await runtime.resume_stalled()
        except Exception as exc:  # a timer that raises would stop for good
            log.warning("seek retry failed: %r", exc)

    app.timer(worker.checkpoint_interval_s)(checkpoint_tick)
    app.timer(SEEK_RETRY_S)(resume_tick)
    app.timer(worker.snapshot_interval_s)(publish_tick)

    async def metrics_view(view: Any, _request: Any) -> Any:
        # aiohttp refuses a charset inside content_type; a plain header passes it through.
        headers = {"Content-Type": CONTENT_TYPE_LATEST}
        return view.bytes(generate_latest(registry), headers=headers)

    async def health_view(view: Any, _request: Any) -> Any:
        crashed = bool(getattr(app, "crashed", False))
        body = {
            "status": "crashed" if crashed else "ok",
            "app_id": worker.app_id,
            "partitions": sorted(runtime.slots),
            "lag": runtime.lag(),
            "totals": dict(runtime.totals()),
            "watermarks": runtime.watermarks(),
        }
        return view.bytes(
            msgspec.json.encode(body),
            content_type="application/json",
            status=503 if crashed else 200,
        )

    async def kpi_view(view: Any, _request: Any) -> Any:
        records = runtime.records()
        at = max((r.as_of for r in records), default=runtime.now_ms())
        doc = kpi_document(records, runtime.config, runtime.layout, at)
        doc["partitions"] = sorted(runtime.slots)
        return view.bytes(msgspec.json.encode(doc), content_type="application/json")

    def guarded(page: Callable[[Any, Any], Awaitable[Any]]) -> Callable[[Any, Any], Awaitable[Any]]:
        async def view(view: Any, request: Any) -> Any:
            if not authorized(request.headers.get("Authorization"), token):
                return view.bytes(
                    b'{"error":"unauthorized"}', content_type="application/json", status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="floorboard"'},
                )  # fmt: skip
            return await page(view, request)

        return view

    app.page("/metrics")(guarded(metrics_view))
    app.page("/healthz")(health_view)
    app.page("/kpi")(guarded(kpi_view))
    return app
