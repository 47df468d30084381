"""The Faust app: the events topic's fetched batches to the runtime, plus signals, timers and web.

Faust supplies the consumer group, fetching, timers and the web server. Offsets
are ours: on assignment the runtime restores each partition from its checkpoint and seeks there,
and records delivered from anywhere else (Faust seeks to its committed offsets after assignment)
are skipped or trigger another seek; Faust's commits are never relied on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
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
from floorboard.streams.worker.logs import json_logging
from floorboard.streams.worker.metrics import build_registry
from floorboard.streams.worker.partition import SEEK_RETRY_S, Record
from floorboard.streams.worker.runtime import CHANGES_CHECK_S, SOURCE_CHECK_S, WorkerRuntime
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

    async def earliest(self, partitions: list[int]) -> dict[int, int]:
        found = await self._app.consumer.earliest_offsets(
            *(TP(self._topic, partition) for partition in partitions)
        )
        return {tp.partition: int(offset) for tp, offset in found.items()}


def exit_after(seconds: float, code: int) -> None:
    """Leave the process after ``seconds`` whatever it is doing, from a daemon thread.

    The checkpointed state is exact, so records applied after the last checkpoint are read
    again by the next owner: a stop cut short loses nothing.
    """
    timer = threading.Timer(seconds, os._exit, (code,))
    timer.daemon = True
    timer.start()


async def handle_or_stop(runtime: WorkerRuntime, fetched: Mapping[int, Sequence[Record]]) -> None:
    """Apply one fetch's records; if that fails, stop the process rather than live on doing
    nothing, so a supervisor restarts the worker from its checkpoints (serve() then exits with
    status 1). The error goes on up and ends the consumer's fetch loop: nothing more is applied."""
    try:
        await runtime.handle(fetched)
    except Exception as exc:
        log.exception("ingest loop failed; stopping the worker")
        runtime.health.ingest_failed(repr(exc))
        os.kill(os.getpid(), signal.SIGTERM)
        raise


def create_worker(app: Any, loop: asyncio.AbstractEventLoop, worker: WorkerSettings) -> Any:
    """Faust's worker, which on SIGTERM stops within ``worker.stop_timeout_s`` in any state."""

    class Worker(faust.Worker):
        def _on_sigterm(self) -> None:
            exit_after(worker.stop_timeout_s + 1, 128 + signal.SIGTERM)
            super()._on_sigterm()

    as_json = worker.log_format == "json"
    return Worker(
        app,
        loop=loop,
        loglevel=worker.log_level,
        redirect_stdouts=False,
        quiet=as_json,  # Faust's banner and tables are plain text: left out of JSON logs
        logging_config=json_logging(worker.log_level) if as_json else None,
    )


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
    transport.install(
        app,
        worker.fetch_max_wait_ms,
        topic_name,
        lambda fetched: handle_or_stop(runtime, fetched),
        runtime.source_interrupted,
    )
    app.topics.add(app.topic(topic_name, key_serializer="raw", value_serializer="raw"))
    runtime.consumer = FaustConsumer(app, topic_name)
    registry = build_registry(runtime)

    # Signal receivers are called as (sender, *args, signal=..., **kwargs).
    async def on_assigned(_sender: Any, *args: Any, signal: Any, **_kwargs: Any) -> None:
        await runtime.assign(tp.partition for tp in args[0] if tp.topic == topic_name)

    async def on_revoked(_sender: Any, *args: Any, signal: Any, **_kwargs: Any) -> None:
        await runtime.revoke(tp.partition for tp in args[0] if tp.topic == topic_name)

    async def on_shutdown(_sender: Any, *_args: Any, signal: Any, **_kwargs: Any) -> None:
        try:
            await asyncio.wait_for(runtime.close(), worker.stop_timeout_s)
        except (TimeoutError, Exception) as exc:
            log.warning(
                "final checkpoint not written (%r); the next owner re-reads from the last one", exc
            )

    # mode's SignalHandlerT is spelled with mypy_extensions arg types current mypy rejects.
    cast(Any, app.on_partitions_assigned).connect(on_assigned)
    cast(Any, app.on_partitions_revoked).connect(on_revoked)
    cast(Any, app.on_before_shutdown).connect(on_shutdown)

    async def checkpoint_tick() -> None:
        await runtime.checkpoint_all()

    async def publish_tick() -> None:
        try:
            await runtime.publish(only_stale=True)
        except Exception as exc:  # a timer that raises would stop for good
            log.warning("snapshot publish failed: %r", exc)

    async def changes_tick() -> None:
        try:
            await runtime.publish_changes()
        except Exception as exc:  # a timer that raises would stop for good
            log.warning("snapshot publish failed: %r", exc)

    async def resume_tick() -> None:
        try:
            await runtime.resume_stalled()
        except Exception as exc:  # a timer that raises would stop for good
            log.warning("seek retry failed: %r", exc)

    async def source_tick() -> None:
        try:
            await runtime.check_source()
        except Exception as exc:  # a timer that raises would stop for good
            log.warning("source check failed: %r", exc)

    app.timer(worker.checkpoint_interval_s)(checkpoint_tick)
    app.timer(SEEK_RETRY_S)(resume_tick)
    app.timer(SOURCE_CHECK_S)(source_tick)
    app.timer(worker.snapshot_interval_s)(publish_tick)
    # Changes are published after each fetch; this publishes those a fetch left waiting for
    # snapshot_min_interval_s when no other fetch follows soon.
    app.timer(CHANGES_CHECK_S)(changes_tick)

    async def metrics_view(view: Any, _request: Any) -> Any:
        # aiohttp refuses a charset inside content_type; a plain header passes it through.
        headers = {"Content-Type": CONTENT_TYPE_LATEST}
        return view.bytes(generate_latest(registry), headers=headers)

    async def live_view(view: Any, _request: Any) -> Any:
        failure = runtime.health.live()
        if getattr(app, "crashed", False):
            failure = failure or "the app crashed"
        body = {
            "status": "ok" if failure is None else "failed",
            "reason": failure,
            "app_id": worker.app_id,
            "partitions": sorted(runtime.slots),
            "lag": runtime.lag(),
            "totals": dict(runtime.totals()),
            "watermarks": runtime.watermarks(),
        }
        return view.bytes(
            msgspec.json.encode(body),
            content_type="application/json",
            status=200 if failure is None else 503,
        )

    async def ready_view(view: Any, _request: Any) -> Any:
        conditions = runtime.readiness()
        reasons = {name: reason for name, reason in conditions.items() if reason is not None}
        body = {"status": "ready" if not reasons else "not ready", "reasons": reasons}
        return view.bytes(
            msgspec.json.encode(body),
            content_type="application/json",
            status=200 if not reasons else 503,
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
    app.page("/livez")(live_view)
    app.page("/healthz")(live_view)  # the older name of /livez
    app.page("/readyz")(ready_view)
    app.page("/kpi")(guarded(kpi_view))
    return app
