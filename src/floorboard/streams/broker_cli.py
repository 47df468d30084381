"""``floorboard broker``: the embedded Tansu broker on loopback, with the pipeline's topics."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
from types import FrameType

from floorboard.config import RuntimeSettings
from floorboard.streams.broker import LOOPBACK, BrokerError, EmbeddedBroker
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.topics import ensure_topics, shared_topics


def configure(p: argparse.ArgumentParser) -> None:
    p.description = "Everything lives in memory: stopping the broker loses every topic."
    p.add_argument("--port", type=int, default=None, help="TCP port (default: a free one)")
    p.add_argument("--host", default=LOOPBACK, help="listen address (default: 127.0.0.1)")
    p.add_argument(
        "--partitions", type=int, default=None, help="events topic partitions (default 4)"
    )
    p.add_argument(
        "--no-topics", action="store_true", help="do not create the events/snapshots/DLQ topics"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    broker = EmbeddedBroker(args.port, host=args.host)
    try:
        broker.start()
    except BrokerError as exc:
        print(f"floorboard broker: {exc}", file=sys.stderr)
        return 1
    try:
        settings = RuntimeSettings(broker=broker.bootstrap)
        if args.partitions is not None:
            settings = settings.model_copy(update={"events_partitions": args.partitions})
        if not args.no_topics:
            counts = asyncio.run(
                ensure_topics(KafkaConnection.from_settings(settings), shared_topics(settings))
            )
            topics = ", ".join(f"{name} ({n} partitions)" for name, n in counts.items())
            print(f"topics: {topics}", flush=True)
        print(
            f"broker ready on {broker.bootstrap} (pid {broker.pid}, log {broker.log_path})\n"
            f"  export FLOORBOARD_BROKER={broker.bootstrap}\n"
            "Ctrl-C stops it; everything is in memory and is lost on stop.",
            flush=True,
        )
        while not stop.wait(0.5):
            if not broker.running:
                print("floorboard broker: tansu exited unexpectedly", file=sys.stderr)
                return 1
        return 0
    finally:
        broker.stop()
