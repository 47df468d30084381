"""``floorboard ingest SOURCE``: read a platform's records and emit canonical events."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from aiohttp import web
from prometheus_client import CollectorRegistry, start_http_server

from floorboard.config import RuntimeSettings, load_config, runtime_settings
from floorboard.sources.amazon_connect import ConnectMapper, ConnectOptions
from floorboard.sources.asterisk import AsteriskMapper, AsteriskOptions
from floorboard.sources.call_records import CallRecordMapper, parse_mapping
from floorboard.sources.chatwoot import ChatwootMapper, ChatwootOptions, signature_verifier
from floorboard.sources.outcome import Mapped
from floorboard.sources.output import (
    IngestCounts,
    JsonlOutput,
    KafkaOutput,
    Output,
    OutputUnavailable,
)
from floorboard.sources.queue_log import CsvLayout, NeedsTimezone, parse_flat
from floorboard.sources.receiver import build_app
from floorboard.sources.run import LineMapper, ingest_file, load_state, save_state
from floorboard.sources.survey import map_body
from floorboard.sources.topic import ingest_topic


class UsageError(Exception):
    """A bad argument or input file: one line, no traceback."""


def configure(p: argparse.ArgumentParser) -> None:
    sources = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    a = sources.add_parser("asterisk", help="Asterisk queue_log: the flat file or a CSV export")
    a.add_argument("file", type=Path, help="queue_log file, or the queue_log table as CSV")
    a.add_argument("--site", required=True, help="the site these records belong to")
    a.add_argument(
        "--format", choices=("auto", "flat", "csv"), default="auto",
        help="auto: CSV when the first line is a header naming the columns (default)",
    )  # fmt: skip
    a.add_argument(
        "--timezone", type=zone, default=None,
        help="IANA zone of local date-times in a CSV export (default: the site's, with --config)",
    )  # fmt: skip
    a.add_argument("--teams", type=Path, help="YAML: team name → list of agents (interfaces)")
    a.add_argument("--default-team", default="default", help="team of agents not in --teams")
    a.add_argument(
        "--wrapup", type=seconds, default=0.0,
        help="wrap-up seconds after each call (queues.conf wrapuptime; default 0)",
    )  # fmt: skip
    a.add_argument("--follow", action="store_true", help="keep reading as the file grows")
    a.add_argument(
        "--state", type=Path, default=None,
        help="state file: read position and agent states, kept across restarts",
    )  # fmt: skip
    add_common(a)
    a.set_defaults(func=run_asterisk)

    c = sources.add_parser("csv", help="call records from any ACD export, one CSV row per call")
    c.add_argument("file", type=Path, help="the export, with a header row")
    c.add_argument("--mapping", type=Path, required=True, help="YAML: columns, times, outcomes")
    c.add_argument("--site", required=True, help="the site these records belong to")
    c.add_argument(
        "--timezone", type=zone, default=None,
        help="zone of times without an offset, unless the mapping names one",
    )  # fmt: skip
    add_common(c)
    c.set_defaults(func=run_csv)

    v = sources.add_parser("survey", help="an HTTP receiver for any survey tool's webhook")
    v.add_argument("--listen", required=True, metavar="HOST:PORT", help="where to listen")
    v.add_argument("--site", required=True, help="the site these answers belong to")
    v.add_argument(
        "--max-body", type=body_size, default=65536, metavar="BYTES",
        help="largest request body accepted (default 65536)",
    )  # fmt: skip
    add_common(v, metrics=False)
    v.set_defaults(func=run_survey)

    n = sources.add_parser(
        "amazon-connect", help="Amazon Connect agent events, contact events and CTRs (JSONL)"
    )
    n.add_argument("file", type=Path, nargs="?", help="JSON records, one per line (or use --topic)")
    n.add_argument("--topic", help="read the records from this Kafka topic instead of a file")
    n.add_argument(
        "--group", default="floorboard-ingest-amazon-connect",
        help="consumer group for --topic (default floorboard-ingest-amazon-connect)",
    )  # fmt: skip
    n.add_argument("--site", required=True, help="the site these records belong to")
    n.add_argument("--queues", type=Path, help="YAML: queue ARN or id → queue name")
    n.add_argument("--teams", type=Path, help="YAML: team → list of agents (usernames)")
    n.add_argument("--default-team", default="default", help="team of agents not in --teams")
    n.add_argument("--follow", action="store_true", help="keep reading as the file grows")
    n.add_argument("--state", type=Path, default=None, help="read position and agent states")
    add_common(n)
    n.set_defaults(func=run_connect)

    w = sources.add_parser("chatwoot", help="an HTTP receiver for Chatwoot's webhooks")
    w.add_argument("--listen", required=True, metavar="HOST:PORT", help="where to listen")
    w.add_argument("--site", required=True, help="the site these conversations belong to")
    w.add_argument("--queues", type=Path, help="YAML: inbox id → queue (default inbox-<id>)")
    w.add_argument("--teams", type=Path, help="YAML: team → list of agents (cw-user-<id>)")
    w.add_argument("--default-team", default="default", help="team of agents not in --teams")
    w.add_argument(
        "--secret-file", type=Path, default=None,
        help="file holding the webhook's secret: requests must carry its signature",
    )  # fmt: skip
    w.add_argument("--state", type=Path, default=None, help="open conversations, kept here")
    w.add_argument(
        "--max-body", type=body_size, default=1 << 20, metavar="BYTES",
        help="largest request body accepted (default 1048576)",
    )  # fmt: skip
    add_common(w, metrics=False)
    w.set_defaults(func=run_chatwoot)


def add_common(p: argparse.ArgumentParser, metrics: bool = True) -> None:
    p.add_argument("--config", type=Path, help="Floorboard config: checks --site exists")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, help="write JSONL here instead of to Kafka")
    where.add_argument("--broker", help="Kafka bootstrap servers (default FLOORBOARD_BROKER)")
    p.add_argument(
        "--deadletter", type=Path, default=None,
        help="with --out: rejected records as JSONL (default OUT.deadletter)",
    )  # fmt: skip
    if metrics:  # a receiver serves /metrics on its own listener
        p.add_argument(
            "--metrics", default=None, metavar="HOST:PORT",
            help="serve floorboard_ingest_records_total on /metrics here",
        )  # fmt: skip


def zone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"not an IANA time zone: {text!r}") from None


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of seconds, not {text!r}") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"between 0 and 86400 seconds, not {text!r}")
    return value


def body_size(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 16 << 20:
        raise argparse.ArgumentTypeError(f"a number of bytes from 1 to 16777216, not {text!r}")
    return int(text)


def host_port(text: str, option: str = "--metrics") -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"{option}: HOST:PORT, not {text!r}")
    return host or "127.0.0.1", int(port)


def load_teams(path: Path | None) -> dict[str, str]:
    """``{team: [agent, …]}`` → ``{agent: team}``."""
    if path is None:
        return {}
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"--teams {path}: {exc}".splitlines()[0]) from None
    if not isinstance(doc, dict):
        raise UsageError(f"--teams {path}: expected a mapping of team → list of agents")
    teams: dict[str, str] = {}
    for team, agents in doc.items():
        if not isinstance(agents, list) or not all(isinstance(a, str) for a in agents):
            raise UsageError(f"--teams {path}: {team}: expected a list of agent names")
        for agent in agents:
            if agent in teams:
                raise UsageError(f"--teams {path}: agent {agent} is in {teams[agent]} and {team}")
            teams[agent] = str(team)
    return teams


def site_zone(args: argparse.Namespace) -> ZoneInfo | None:
    given: ZoneInfo | None = getattr(args, "timezone", None)
    if args.config is None:
        return given
    config = load_config(args.config)
    if args.site not in config.sites:
        raise UsageError(f"--site: {args.site!r} is not a site of {args.config}")
    return given or config.sites[args.site].zone


def broker_settings(args: argparse.Namespace) -> RuntimeSettings:
    """The connection settings (``FLOORBOARD_*``), with ``--broker`` over the address."""
    settings = runtime_settings()
    if args.broker is not None:
        settings = settings.model_copy(update={"broker": args.broker})
    return settings


def open_output(args: argparse.Namespace, source: str, append: bool) -> Output:
    if args.out is not None:
        return JsonlOutput.open(args.out, args.deadletter, source, append)
    if args.deadletter is not None:
        raise UsageError("--deadletter: only with --out (Kafka uses the dead-letter topic)")
    settings = broker_settings(args)
    from floorboard.streams.kafka import KafkaConnection

    conn = KafkaConnection.from_settings(settings)
    return KafkaOutput(conn, settings.events_topic, settings.deadletter_topic, source)


def run_asterisk(args: argparse.Namespace) -> int:
    return _guarded("asterisk", _run_asterisk, args)


def run_csv(args: argparse.Namespace) -> int:
    return _guarded("csv", _run_csv, args)


def run_survey(args: argparse.Namespace) -> int:
    return _guarded("survey", _run_survey, args)


def _run_survey(args: argparse.Namespace) -> int:
    host, port = host_port(args.listen, "--listen")
    site_zone(args)  # checks --site against --config
    counts = IngestCounts()
    output = open_output(args, "survey", append=True)

    def mapper(raw: bytes, received_ms: int) -> list[tuple[Mapped, bytes]]:
        return map_body(raw, args.site, received_ms)

    app = build_app("survey", "/survey", mapper, output, counts, args.max_body)
    asyncio.run(_listen(app, host, port, output))
    print(f"ingest survey: {counts.summary()}", file=sys.stderr)
    return 0


def run_connect(args: argparse.Namespace) -> int:
    return _guarded("amazon-connect", _run_connect, args)


def _run_connect(args: argparse.Namespace) -> int:
    if (args.file is None) == (args.topic is None):
        raise UsageError("give either FILE or --topic")
    if args.file is not None and not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    site_zone(args)
    options = ConnectOptions(
        site=args.site, queues=load_names(args.queues, "--queues"), teams=load_teams(args.teams),
        default_team=args.default_team,
    )  # fmt: skip
    mapper = ConnectMapper(options)
    if args.file is not None:
        return _ingest("amazon-connect", args, mapper)
    counts = IngestCounts()
    output = open_output(args, "amazon-connect", append=True)
    asyncio.run(_consume(args, mapper, output, counts))
    print(f"ingest amazon-connect: {counts.summary()}", file=sys.stderr)
    return 0


async def _consume(
    args: argparse.Namespace, mapper: LineMapper, output: Output, counts: IngestCounts
) -> None:
    settings = broker_settings(args)
    from floorboard.streams.kafka import KafkaConnection

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = _metrics_server(counts, host_port(args.metrics) if args.metrics else None)
    try:
        if isinstance(output, KafkaOutput):
            await output.start()
        conn = KafkaConnection.from_settings(settings)
        await ingest_topic(
            "amazon-connect", conn, args.topic, args.group, mapper, output, counts, stop,
            args.state,
        )  # fmt: skip
    finally:
        with contextlib.suppress(Exception):
            await output.close()
        if server is not None:
            server.shutdown()


def load_names(path: Path | None, option: str) -> dict[str, str]:
    """A YAML mapping of ids (ARNs) to names."""
    if path is None:
        return {}
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"{option} {path}: {exc}".splitlines()[0]) from None
    if not isinstance(doc, dict) or not all(isinstance(v, str) and v for v in doc.values()):
        raise UsageError(f"{option} {path}: expected a mapping of id → name")
    return {str(k): v for k, v in doc.items()}


def run_chatwoot(args: argparse.Namespace) -> int:
    return _guarded("chatwoot", _run_chatwoot, args)


def _run_chatwoot(args: argparse.Namespace) -> int:
    host, port = host_port(args.listen, "--listen")
    site_zone(args)
    options = ChatwootOptions(
        site=args.site, queues=load_queues(args.queues), teams=load_teams(args.teams),
        default_team=args.default_team,
    )  # fmt: skip
    mapper = ChatwootMapper(options)
    saved = load_state(args.state)
    if saved is not None:
        mapper.restore(saved.mapper)
    verify = None
    if args.secret_file is not None:
        try:
            secret = args.secret_file.read_bytes().strip()
        except OSError as exc:
            raise UsageError(f"--secret-file: {exc.strerror}: {args.secret_file}") from None
        if not secret:
            raise UsageError(f"--secret-file: {args.secret_file} is empty")
        verify = signature_verifier(secret, time.time)

    def delivered() -> None:
        if args.state is not None:
            save_state(args.state, None, mapper.state())

    counts = IngestCounts()
    output = open_output(args, "chatwoot", append=True)
    app = build_app(
        "chatwoot", "/chatwoot", mapper.map_body, output, counts, args.max_body, verify, delivered
    )
    asyncio.run(_listen(app, host, port, output))
    print(f"ingest chatwoot: {counts.summary()}", file=sys.stderr)
    return 0


def load_queues(path: Path | None) -> dict[int, str]:
    """``{inbox id: queue}``."""
    if path is None:
        return {}
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"--queues {path}: {exc}".splitlines()[0]) from None
    if not isinstance(doc, dict) or not all(
        isinstance(k, int) and isinstance(v, str) and v for k, v in doc.items()
    ):
        raise UsageError(f"--queues {path}: expected a mapping of inbox id → queue name")
    return dict(doc)


async def _listen(app: web.Application, host: str, port: int, output: Output) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(app)
    try:
        if isinstance(output, KafkaOutput):
            await output.start()
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            raise UsageError(f"--listen: cannot listen on {host}:{port}: {exc.strerror}") from None
        print(f"ingest: listening on http://{host}:{port}", file=sys.stderr, flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()
        with contextlib.suppress(Exception):
            await output.close()


def _guarded(source: str, run: Callable[[argparse.Namespace], int], args: Any) -> int:
    try:
        return run(args)
    except (UsageError, NeedsTimezone) as exc:
        print(f"floorboard ingest {source}: {exc}", file=sys.stderr)
        return 2
    except OutputUnavailable as exc:
        print(f"floorboard ingest {source}: cannot send to Kafka: {exc}", file=sys.stderr)
        return 1


def _run_asterisk(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    tz = site_zone(args)
    options = AsteriskOptions(
        site=args.site, teams=load_teams(args.teams), default_team=args.default_team,
        wrapup_s=args.wrapup,
    )  # fmt: skip
    mapper = AsteriskMapper(options, _parser(args.file, args.format, tz))
    return _ingest("asterisk", args, mapper)


def _run_csv(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    tz = site_zone(args)
    try:
        mapping = parse_mapping(yaml.safe_load(args.mapping.read_text()), str(args.mapping))
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"--mapping: {exc}".splitlines()[0]) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if mapping.timezone is None and tz is not None:
        mapping = mapping.model_copy(update={"timezone": tz.key})
    with args.file.open("rb") as handle:
        first = handle.readline().rstrip(b"\r\n")
    try:
        header = next(csv.reader([first.decode(mapping.encoding)], delimiter=mapping.delimiter))
        mapper = CallRecordMapper(mapping, args.site, header)
    except (ValueError, StopIteration) as exc:
        raise UsageError(f"{args.file}: {exc or 'no header row'}") from None
    args.follow, args.state = False, None  # a backfill: read once
    return _ingest("csv", args, mapper)


def _ingest(source: str, args: argparse.Namespace, mapper: LineMapper) -> int:
    metrics = host_port(args.metrics) if args.metrics else None
    counts = IngestCounts()
    resumed = args.state is not None and args.state.exists()
    output = open_output(args, source, append=resumed)
    asyncio.run(_serve(source, args, mapper, output, counts, metrics))
    print(f"ingest {source}: {counts.summary()}", file=sys.stderr)
    for line in counts.lines():
        print(f"  {line}", file=sys.stderr)
    return 0


def _parser(path: Path, fmt: str, tz: ZoneInfo | None) -> Any:
    with path.open("rb") as handle:
        first = handle.readline().rstrip(b"\r\n")
    looks_csv = first.lower().startswith((b"time,", b'"time",'))
    if fmt == "flat" or (fmt == "auto" and not looks_csv):
        return parse_flat
    if not looks_csv:
        raise UsageError(f"{path}: the first line is not a CSV header naming the columns")
    try:
        return CsvLayout(next(csv.reader([first.decode()])), tz).parse
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: {exc}") from None


async def _serve(
    source: str,
    args: argparse.Namespace,
    mapper: LineMapper,
    output: Output,
    counts: IngestCounts,
    metrics: tuple[str, int] | None,
) -> None:
    server = _metrics_server(counts, metrics)
    stop = asyncio.Event()
    if args.follow:  # a service: SIGTERM and Ctrl-C stop it after the batch in hand
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    try:
        if isinstance(output, KafkaOutput):
            await output.start()
        await ingest_file(
            source, args.file, mapper, output, counts,
            follow=args.follow, state_path=args.state, stop=stop,
        )  # fmt: skip
    finally:
        with contextlib.suppress(Exception):
            await output.close()
        if server is not None:
            server.shutdown()


def _metrics_server(counts: IngestCounts, where: tuple[str, int] | None) -> Any:
    """``/metrics`` with the counts on its own port (file and topic readers; receivers serve
    it on their listener)."""
    if where is None:
        return None
    registry = CollectorRegistry(auto_describe=True)
    registry.register(counts)
    server, _ = start_http_server(where[1], where[0], registry=registry)
    return server
