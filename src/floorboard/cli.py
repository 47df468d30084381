"""The ``floorboard`` command.

Each subcommand lives in its area's module, which is imported only when that command runs: a
module that fails to import breaks its own command, never the others or ``--help``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from floorboard import __version__
from floorboard.config import ConfigError


@dataclass(frozen=True)
class Command:
    module: str
    configure: str  # function in ``module``: adds the arguments and sets ``func``
    help: str


COMMANDS: dict[str, Command] = {
    "report": Command(
        "floorboard.report.cli", "configure", "compute KPIs from a JSONL file of canonical events"
    ),
    "broker": Command(
        "floorboard.streams.broker_cli",
        "configure",
        "run the embedded Kafka-compatible broker (Tansu, in memory) for development",
    ),
    "worker": Command(
        "floorboard.streams.worker.cli",
        "configure",
        "run a streaming worker: canonical events in, KPI snapshots and dead letters out",
    ),
    "simulate": Command(
        "floorboard.simulator.cli",
        "configure_simulate",
        "simulate a contact centre and emit canonical events",
    ),
    "replay": Command(
        "floorboard.simulator.cli",
        "configure_replay",
        "re-emit a recorded JSONL file, keeping the gaps",
    ),
    "wallboard": Command(
        "floorboard.wallboard.cli",
        "configure",
        "run the Textual wallboard, or serve it to browsers",
    ),
    "kiosk-token": Command(
        "floorboard.wallboard.tokens",
        "configure",
        "add, revoke or list the read-only kiosk tokens of served wallboard screens",
    ),
    "demo": Command(
        "floorboard.demo", "configure", "run the whole pipeline on the embedded broker"
    ),
    "ingest": Command(
        "floorboard.sources.cli",
        "configure",
        "read a contact-centre platform's records (Asterisk queue_log, …) into canonical events",
    ),
    "grafana": Command(
        "floorboard.dashboards.cli",
        "configure_grafana",
        "generate or upload the Grafana dashboards and alerting",
    ),
    "prometheus": Command(
        "floorboard.dashboards.cli",
        "configure_prometheus",
        "generate the Prometheus recording rules",
    ),
}


class CommandUnavailable(Exception):
    """A command's module failed to import."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command listed; only ``command``'s module is imported."""
    parser = argparse.ArgumentParser(
        prog="floorboard",
        description="Real-time wallboard and streaming KPI monitor for contact centres.",
    )
    parser.add_argument("--version", action="version", version=f"floorboard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, spec in COMMANDS.items():
        p = sub.add_parser(name, help=spec.help)
        if name == command:
            _configure(spec, p)
    return parser


def _configure(spec: Command, parser: argparse.ArgumentParser) -> None:
    try:
        module = importlib.import_module(spec.module)
    except Exception as exc:
        raise CommandUnavailable(f"cannot load {spec.module}: {exc!r}") from exc
    configure: Callable[[argparse.ArgumentParser], None] = getattr(module, spec.configure)
    configure(parser)


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand's name: the first word that is not an option (the top level has no values)."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = _command(args_list)
    try:
        parser = build_parser(command)
    except CommandUnavailable as exc:
        print(f"floorboard {command}: {exc}", file=sys.stderr)
        return 1
    args = parser.parse_args(args_list)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as exc:
        print(f"floorboard: invalid configuration: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader left (`| head`); point stdout at /dev/null so the exit flush is quiet too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
