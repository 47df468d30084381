"""``floorboard wallboard``: the Textual wallboard on the snapshots topic."""

from __future__ import annotations

import argparse
import logging
from importlib.resources import as_file
from pathlib import Path

from floorboard.config import (
    EXAMPLE_CONFIG,
    RuntimeSettings,
    add_config,
    load_config,
    runtime_settings,
    with_connection,
)
from floorboard.engine.layout import Layout
from floorboard.engine.read import layout_id
from floorboard.streams.kafka import KafkaConnection
from floorboard.wallboard.app import THEMES, Ticker, WallboardApp
from floorboard.wallboard.reader import SnapshotReader
from floorboard.wallboard.store import RecordStore


def configure(p: argparse.ArgumentParser) -> None:
    add_wallboard_arguments(p)
    add_config(p, required=False)
    p.add_argument("--broker", default=None, help="Kafka bootstrap servers (FLOORBOARD_BROKER)")
    p.set_defaults(func=run)


def add_wallboard_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``wallboard`` and ``demo``."""
    p.add_argument("--layout", choices=("supervisor", "team"), default="supervisor")
    p.add_argument("--team", default=None, help="team for the team layout (default: the first)")
    p.add_argument("--site", default=None, help="site to show (default: the first configured)")
    p.add_argument(
        "--stale-after", type=float, default=10.0, metavar="S",
        help="seconds without data before the stale banner covers the board",
    )  # fmt: skip
    p.add_argument(
        "--rotate", type=float, default=None, metavar="S",
        help="rotate between supervisor and team screens every S seconds",
    )  # fmt: skip
    p.add_argument("--ticker", type=Path, default=None, help="file of announcement lines")
    p.add_argument("--theme", choices=tuple(THEMES), default="dark", help="colour theme")
    p.add_argument(
        "--serve", type=address, default=None, metavar="HOST:PORT",
        help="serve the board to browsers instead of this terminal (docs/wallboard.md)",
    )  # fmt: skip
    p.add_argument(
        "--kiosk-tokens", type=Path, default=None, metavar="FILE",
        help="hashed read-only kiosk tokens, one per screen (floorboard kiosk-token)",
    )  # fmt: skip


def address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6)."""
    host, _, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r}: expected HOST:PORT, e.g. 127.0.0.1:8000")
    return host, int(port)


def build_app(args: argparse.Namespace, settings: RuntimeSettings) -> WallboardApp:
    config = load_config(args.config or EXAMPLE_CONFIG)
    settings = with_connection(settings, config)
    store = RecordStore(layout_id(Layout(config.wait_bounds_ms, config.handle_bounds_ms)))
    reader = SnapshotReader(KafkaConnection.from_settings(settings), *topics_read(args, settings))
    return WallboardApp(
        config,
        store,
        layout_name=args.layout,
        team=args.team,
        site=args.site,
        stale_after_s=args.stale_after,
        rotate_s=args.rotate,
        ticker=Ticker(args.ticker),
        reader=reader,
        link=reader.link,
        theme=args.theme,
    )


def show(args: argparse.Namespace, settings: RuntimeSettings, config_path: Path) -> int:
    """The board in this terminal, or served to browsers with ``--serve``."""
    # The board shows an unreachable broker itself; aiokafka's own line per retry adds nothing.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    if args.serve is None:
        build_app(args, settings).run()
        return 0
    from floorboard.wallboard.serve import serve

    return serve(args, settings, config_path)


def topics_read(args: argparse.Namespace, settings: RuntimeSettings) -> list[str]:
    """A team screen reads team records only; the agents topic is for the supervisor's screen."""
    if args.layout == "team" and args.rotate is None:
        return [settings.snapshots_topic]
    return [settings.snapshots_topic, settings.agents_topic]


def run(args: argparse.Namespace) -> int:
    settings = runtime_settings()
    if args.broker:
        settings = settings.model_copy(update={"broker": args.broker})
    config_path: Path | None = args.config
    if config_path is not None:
        return show(args, settings, config_path)
    with as_file(EXAMPLE_CONFIG) as example:
        return show(args, settings, example)
