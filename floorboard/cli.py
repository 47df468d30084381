"""The ``floorboard`` command. Each subcommand lives in its area's module and registers itself."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

from floorboard.config import ConfigError


class CommandModule(Protocol):
    def register(self, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


# Modules that define subcommands; each calls ``sub.add_parser`` and sets ``func``.
COMMAND_MODULES: tuple[str, ...] = (
    "streams.report_cli",
    "streams.broker_cli",
    "streams.worker.cli",
    "simulator.cli",
    "wallboard.cli",
    "floorboard.demo",
    "dashboards.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorboard",
        description="Real-time wallboard and streaming KPI monitor for contact centres.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        module: CommandModule = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as exc:
        print(f"floorboard: invalid configuration: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
