"""``floorboard broker``: the embedded Tansu broker on loopback, with the pipeline's topics."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType

from floorboard.config import RuntimeSettings, runtime_settings
from floorboard.streams.broker import LOOPBACK, BrokerError, EmbeddedBroker
from floorboard.streams.certs import ServerTls, create_server_tls
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
        "--no-topics",
        action="store_true",
        help="do not create the events/snapshots/agents/DLQ topics",
    )
    p.add_argument(
        "--secure", action="store_true",
        help="serve only through TLS, with a new private CA and server certificate",
    )  # fmt: skip
    p.add_argument(
        "--tls-dir", type=Path, default=None,
        help="with --secure: where the CA and server certificate go (made owner-only; "
        "default: a new temporary directory)",
    )  # fmt: skip
    p.set_defaults(func=run)


def secure_settings(broker: EmbeddedBroker, settings: RuntimeSettings) -> RuntimeSettings:
    """Client settings for ``broker``: TLS with its CA when it is secure."""
    secure = broker.tls is not None
    update = {
        "broker": broker.bootstrap,
        "security_protocol": "SSL" if secure else "PLAINTEXT",
        "ssl_cafile": broker.tls.ca if broker.tls is not None else None,
    }
    return settings.model_copy(update=update)


def client_environment(settings: RuntimeSettings) -> dict[str, str]:
    """The ``FLOORBOARD_*`` variables that point a client at the broker of ``settings``."""
    env = {
        "FLOORBOARD_BROKER": settings.broker,
        "FLOORBOARD_SECURITY_PROTOCOL": settings.security_protocol,
    }
    if settings.ssl_cafile is not None:
        env["FLOORBOARD_SSL_CAFILE"] = str(settings.ssl_cafile)
    return env


def server_tls(host: str, directory: Path | None) -> ServerTls:
    """A fresh CA and certificate for ``host`` (and loopback names)."""
    where = directory or Path(tempfile.mkdtemp(prefix="floorboard-tls-"))
    hosts = list(dict.fromkeys([host, LOOPBACK, "localhost"]))
    return create_server_tls(where, hosts)


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    if args.tls_dir is not None and not args.secure:
        print("floorboard broker: --tls-dir: only with --secure", file=sys.stderr)
        return 2
    try:
        tls = server_tls(args.host, args.tls_dir) if args.secure else None
    except OSError as exc:
        print(f"floorboard broker: --tls-dir: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    broker = EmbeddedBroker(args.port, host=args.host, tls=tls)
    try:
        broker.start()
    except BrokerError as exc:
        print(f"floorboard broker: {exc}", file=sys.stderr)
        return 1
    try:
        settings = secure_settings(broker, runtime_settings())
        if args.partitions is not None:
            settings = settings.model_copy(update={"events_partitions": args.partitions})
        if not args.no_topics:
            counts = asyncio.run(
                ensure_topics(KafkaConnection.from_settings(settings), shared_topics(settings))
            )
            topics = ", ".join(f"{name} ({n} partitions)" for name, n in counts.items())
            print(f"topics: {topics}", flush=True)
        exports = "".join(f"  export {k}={v}\n" for k, v in client_environment(settings).items())
        served = "TLS only, " if tls is not None else ""
        print(
            f"broker ready on {broker.bootstrap} ({served}pid {broker.pid}, log {broker.log_path})"
            f"\n{exports}Ctrl-C stops it; everything is in memory and is lost on stop.",
            flush=True,
        )
        while not stop.wait(0.5):
            if not broker.running:
                print("floorboard broker: tansu exited unexpectedly", file=sys.stderr)
                return 1
        return 0
    finally:
        broker.stop()
        if tls is not None and args.tls_dir is None:
            shutil.rmtree(tls.directory, ignore_errors=True)  # a temporary CA dies with the broker
