"""``floorboard wallboard``: the Textual wallboard on the snapshots topic."""

from __future__ import annotations

import argparse
from pathlib import Path

from floorboard.config import EXAMPLE_CONFIG, RuntimeSettings, add_config, load_config
from floorboard.engine.layout import Layout
from floorboard.engine.read import layout_id
from floorboard.streams.kafka import KafkaConnection
from floorboard.wallboard.app import Ticker, WallboardApp
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


def build_app(args: argparse.Namespace, settings: RuntimeSettings) -> WallboardApp:
    config = load_config(args.config or settings.config or EXAMPLE_CONFIG)
    store = RecordStore(layout_id(Layout(config.wait_bounds_ms, config.handle_bounds_ms)))
    conn = KafkaConnection.from_settings(settings)
    return WallboardApp(
        config,
        store,
        layout_name=args.layout,
        team=args.team,
        site=args.site,
        stale_after_s=args.stale_after,
        rotate_s=args.rotate,
        ticker=Ticker(args.ticker),
        reader=SnapshotReader(conn, settings.snapshots_topic),
    )


def run(args: argparse.Namespace) -> int:
    settings = RuntimeSettings()
    if args.broker:
        settings = settings.model_copy(update={"broker": args.broker})
    build_app(args, settings).run()
    return 0
