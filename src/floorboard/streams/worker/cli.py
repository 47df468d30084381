"""``floorboard worker --config FILE``: run one streaming worker until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from floorboard.config import (
    AGENT_KEY_ENV,
    Config,
    RuntimeSettings,
    add_config,
    from_environment,
    load_config,
    runtime_settings,
)
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.streams.broker import free_port
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.readback import PartitionView, first_offset, partition_view
from floorboard.streams.topics import (
    TopicMismatch,
    checkpoint_topic,
    checkpoint_topic_name,
    ensure_topics,
    shared_topics,
)
from floorboard.streams.worker.auth import bearer_token, exposed_without_token
from floorboard.streams.worker.checkpoint import CheckpointStore, kafka_reader
from floorboard.streams.worker.logs import LOG_FORMATS, JsonFormatter
from floorboard.streams.worker.outputs import Outputs
from floorboard.streams.worker.runtime import WorkerRuntime
from floorboard.streams.worker.settings import WorkerSettings


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Settings not given here come from FLOORBOARD_* and FLOORBOARD_WORKER_* "
        "environment variables (docs/running.md)."
    )
    add_config(p)
    p.add_argument("--broker", help="Kafka bootstrap servers host:port[,host:port]")
    p.add_argument("--app-id", help="consumer group and prefix of the worker's own topics")
    p.add_argument(
        "--web-port",
        type=int,
        help="HTTP port for /metrics, /healthz, /kpi (default 6066; 0: a free one)",
    )
    p.add_argument("--read-at", type=int, help="fixed read time in epoch ms (replays, tests)")
    p.add_argument("--log-level", help="debug, info, warning, error")
    p.add_argument(
        "--log-format", choices=LOG_FORMATS, help="text (default) or json: one object per line"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    settings = runtime_settings(config)
    if args.broker:
        settings = settings.model_copy(update={"broker": args.broker})
    updates = {
        name: value
        for name, value in (
            ("app_id", args.app_id),
            ("web_port", args.web_port),
            ("read_at", args.read_at),
            ("log_level", args.log_level),
            ("log_format", args.log_format),
        )
        if value is not None
    }
    worker = from_environment(WorkerSettings, "FLOORBOARD_WORKER_").model_copy(update=updates)
    return serve(config, settings, worker)


async def prepare_topics(conn: KafkaConnection, settings: RuntimeSettings, app_id: str) -> int:
    """Create missing topics; returns the events topic's partition count."""
    replicas = settings.replication_factor
    counts = await ensure_topics(conn, shared_topics(settings), replicas)
    partitions = counts[settings.events_topic]
    await ensure_topics(conn, [checkpoint_topic(app_id, partitions)], replicas)
    return partitions


def serve(config: Config, settings: RuntimeSettings, worker: WorkerSettings) -> int:
    # Imported here: the CLI's other commands should not pay for Faust.
    from floorboard.streams.worker.app import create_app, create_worker

    conn = KafkaConnection.from_settings(settings)
    token = bearer_token(worker)
    if exposed_without_token(worker, token):
        print(
            f"floorboard worker: /kpi and /metrics on {worker.web_host} without a token: set "
            "FLOORBOARD_WORKER_WEB_TOKEN_FILE (docs/security.md)",
            file=sys.stderr,
            flush=True,
        )
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        partitions = loop.run_until_complete(prepare_topics(conn, settings, worker.app_id))
    except (KafkaError, TopicMismatch) as exc:
        loop.close()
        print(f"floorboard worker: broker {settings.broker}: {exc}", file=sys.stderr)
        return 1
    web_port = worker.web_port or free_port(worker.web_host)
    temporary = worker.data_dir is None
    data_dir = worker.data_dir or Path(tempfile.mkdtemp(prefix=f"floorboard-{worker.app_id}-"))
    outputs = Outputs(conn, client_id=f"{worker.app_id}-{os.getpid()}")
    topic = checkpoint_topic_name(worker.app_id)
    store = CheckpointStore(topic, kafka_reader(conn, topic), outputs.send_many)
    events = settings.events_topic

    async def probe(partition: int, offset: int) -> int | None:
        return await first_offset(conn, TopicPartition(events, partition), offset)

    async def view(partition: int, offset: int) -> PartitionView | None:
        return await partition_view(conn, TopicPartition(events, partition), offset)

    if not config.privacy.key_configured:
        print(
            f"floorboard worker: {AGENT_KEY_ENV} is not set (nor privacy.agent_key_file): agent "
            "pseudonyms use a key of this process only; several workers need one shared key",
            file=sys.stderr,
            flush=True,
        )
    runtime = WorkerRuntime(config, settings, worker, outputs, store, probe, view)
    app = create_app(runtime, conn, worker, web_port, data_dir, token)
    started = (
        f"floorboard worker {worker.app_id}: {settings.events_topic} ({partitions} partitions) "
        f"on {settings.broker}; web http://{worker.web_host}:{web_port}"
    )
    as_json = worker.log_format == "json"
    if as_json:  # Faust's banner and tables would be plain text on stdout: logged instead
        print(JsonFormatter().format(logging.makeLogRecord({"msg": started, "name": __name__,
                                                              "levelname": "INFO"})),
              file=sys.stderr, flush=True)  # fmt: skip
    else:
        print(started, flush=True)
    runner = create_worker(app, loop, worker)
    tune_for_engine()  # the engines' long-lived state would make the cyclic GC rescan it often
    # Faust's terminal spinner turns the root logger to DEBUG at levels >= warning, so every
    # debug call on the hot path (aiokafka logs each send) would build a LogRecord.
    runner.spinner = None
    try:
        runner.execute_from_commandline()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    else:
        code = 0
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)
    if runtime.health.ingest_failure is not None:
        print(f"floorboard worker: {runtime.health.live()}", file=sys.stderr)
        return 1
    return code
