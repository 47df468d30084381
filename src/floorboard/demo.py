"""``floorboard demo``: broker, worker, simulator, metrics endpoint and wallboard in one go.

Everything runs in this process group: the embedded broker and the wallboard in this process,
the worker and the simulator as child processes. Leaving the wallboard (or the headless timer
running out, Ctrl-C, SIGTERM or SIGHUP) stops all of them; nothing is left behind.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from importlib.resources import as_file
from pathlib import Path
from types import FrameType

import yaml

from floorboard.config import EXAMPLE_CONFIG, Config, RuntimeSettings, config_from_env, load_config
from floorboard.engine.layout import Layout
from floorboard.engine.read import layout_id
from floorboard.engine.views import Views, site_figures
from floorboard.simulator.cli import positive_float, speed, whole
from floorboard.simulator.scenario import SCENARIOS
from floorboard.streams.broker import LOOPBACK, EmbeddedBroker, free_port
from floorboard.streams.broker_cli import client_environment, secure_settings, server_tls
from floorboard.streams.kafka import KafkaConnection
from floorboard.wallboard.cli import add_wallboard_arguments
from floorboard.wallboard.formatting import clock, pct
from floorboard.wallboard.reader import SnapshotReader
from floorboard.wallboard.store import RecordStore

# The simulator runs the day faster than the wall clock, so its events are ahead of it: the
# demo's worker accepts events up to two days ahead (a 24 h day starting at most ~16 h ahead).
DEMO_FUTURE_SKEW_S = 2 * 86400
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(SystemExit):
    """A stop signal arrived: unwinds the demo through its cleanup, like Ctrl-C.

    A SystemExit, because asyncio re-raises only that and KeyboardInterrupt out of a task: any
    other exception raised by the handler inside a task would end just that task.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        default=config_from_env(),
        help="Floorboard YAML config (default: $FLOORBOARD_CONFIG, else the example)",
    )
    p.add_argument("--headless", action="store_true", help="no UI: print a KPI summary at the end")
    p.add_argument(
        "--seconds", type=positive_float, default=30.0, help="headless run time (default 30)"
    )
    p.add_argument(
        "--speed", type=_speed, default="60", help="simulation speed factor (default 60)"
    )
    p.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default="normal",
        help="simulator scenario (default normal)",
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--web-port", type=_port, default=0, help="worker HTTP port (default: free)")
    p.add_argument(
        "--secure", action="store_true",
        help="everything over TLS: a private CA, the broker served only through TLS",
    )  # fmt: skip
    p.add_argument(
        "--source",
        choices=("simulator", "asterisk"),
        default="simulator",
        help="asterisk: the simulator writes a queue_log that `ingest asterisk --follow` reads",
    )
    add_wallboard_arguments(p)
    p.set_defaults(func=run)


def _speed(text: str) -> str:
    """Checked here so a bad value stops the demo at once, not its simulator child later."""
    speed(text)
    return text


def _port(text: str) -> int:
    return whole(text, 0, 65535)


def demo_start(config: Config, now: dt.datetime | None = None) -> str:
    """Local start of the simulated day: now during opening hours, else the next 08:00.

    At night a centre is empty; starting ahead of the wall clock is fine, as the worker reads at
    the newest event time when it runs ahead (docs/kpis.md).
    """
    zone = next(iter(config.sites.values())).zone
    local = (now or dt.datetime.now(tz=zone)).astimezone(zone)
    if 8 <= local.hour < 17:
        start = local
    else:
        day = local.date() if local.hour < 8 else local.date() + dt.timedelta(days=1)
        start = dt.datetime.combine(day, dt.time(8), tzinfo=zone)
    return start.replace(tzinfo=None).isoformat(timespec="minutes")


class Pipeline(contextlib.AbstractContextManager["Pipeline"]):
    """The demo's processes, started in order and always stopped in reverse."""

    def __init__(self, config_path: Path, args: argparse.Namespace) -> None:
        self.config_path = config_path
        self.config = load_config(config_path)
        self.args = args
        self.broker = EmbeddedBroker(None, tls=server_tls(LOOPBACK, None) if args.secure else None)
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.web_port = args.web_port or free_port()
        self.settings = RuntimeSettings()

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/metrics"

    def __enter__(self) -> Pipeline:
        try:
            self.broker.start()
            self.settings = secure_settings(self.broker, RuntimeSettings())
            env = {**os.environ, **client_environment(self.settings)}
            self._spawn(
                ["worker", "--config", str(self.config_path), "--web-port", str(self.web_port)],
                env,
            )
            self._wait_http(f"http://127.0.0.1:{self.web_port}/healthz", timeout=90)
            simulate = [
                "simulate", "--config", str(self.config_path),
                "--scenario", self.args.scenario, "--speed", str(self.args.speed),
                "--seed", str(self.args.seed),
                "--start", demo_start(self.config), "--duration", "24h",
            ]  # fmt: skip
            if self.args.source == "asterisk":
                self._spawn_asterisk(simulate, env)
            else:
                where = [
                    "--bootstrap",
                    self.broker.bootstrap,
                    "--topic",
                    self.settings.events_topic,
                ]
                self._spawn([*simulate, *where, "--batch", "20"], env)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn_asterisk(self, simulate: list[str], env: dict[str, str]) -> None:
        """The path of a real Asterisk site: a queue_log file, followed by the adapter."""
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"floorboard-demo-queue_log-{os.getpid()}"
        log.write_bytes(b"")
        site = next(iter(self.config.sites))
        self._spawn([*simulate, "--format", "queue_log", "--out", str(log)], env)
        follow = ["ingest", "asterisk", str(log), "--site", site, "--follow", "--wrapup", "15"]
        self._spawn(follow, env)

    def _spawn(self, argv: list[str], env: dict[str, str]) -> None:
        log = (
            Path(os.environ.get("TMPDIR", "/tmp")) / f"floorboard-demo-{argv[0]}-{os.getpid()}.log"
        )
        with log.open("wb") as out:
            child = subprocess.Popen(
                [sys.executable, "-m", "floorboard.cli", *argv],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.children.append((argv[0], child))

    def _wait_http(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, child in self.children:
                if child.poll() is not None:
                    raise RuntimeError(f"the {name} exited early with {child.returncode}")
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
            time.sleep(0.5)
        raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")

    def close(self) -> None:
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for _, child in reversed(self.children):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.children.clear()
        self.broker.stop()
        if self.broker.tls is not None:
            shutil.rmtree(self.broker.tls.directory, ignore_errors=True)


async def collect(conn: KafkaConnection, topic: str, store: RecordStore, seconds: float) -> None:
    reader = SnapshotReader(conn, topic)
    task = asyncio.create_task(reader(store))
    await asyncio.sleep(seconds)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def summary(views: Views, config: Config, layout: Layout) -> Iterator[str]:
    """Production and quality side by side, per site, for today."""
    for site in views.sites:
        figs = site_figures(views, site, "today", config, layout)
        sl = figs["service_level"]
        yield f"site {site} — today"
        yield (
            f"  production: offered {figs['offered'].n}, "
            f"SL {pct(sl.value)} ({sl.variant}), abandoned {pct(figs['abandon_rate'].value)}, "
            f"ASA {clock(figs['asa_s'].value)}, AHT {clock(figs['aht_s'].value)}, "
            f"occupancy {pct(figs['occupancy'].value)}, waiting {figs['waiting'].n}"
        )
        yield (
            f"  quality:    CSAT {_fig(figs['csat_mean'].value, '{:.2f}')} "
            f"(n={figs['csat_mean'].n}), "
            f"NPS {_fig(figs['nps'].value, '{:+.0f}')} (n={figs['nps'].n}), "
            f"FCR {pct(figs['fcr_rate'].value)} (n={figs['fcr_rate'].n}), "
            f"QA {pct(figs['qa_score'].value)} (n={figs['qa_score'].n})"
        )
    counts = ", ".join(f"{count} {name}" for name, count in sorted(views.counters.items()))
    yield f"pipeline: {counts or 'no events yet'}"


def _fig(value: float | None, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)


def demo_config(source: Path, directory: Path) -> Path:
    """A copy of the config for the demo's children, accepting the simulator's future events."""
    load_config(source)  # a bad config stops here, naming the user's file
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data.setdefault("engine", {})["max_future_skew_s"] = DEMO_FUTURE_SKEW_S
    path = directory / "demo-config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _stop(signum: int, _frame: FrameType | None) -> None:
    for other in STOP_SIGNALS:  # a second signal must not cut the cleanup this one starts short
        signal.signal(other, signal.SIG_IGN)
    raise Stopped(signum)


def run(args: argparse.Namespace) -> int:
    previous = {signum: signal.signal(signum, _stop) for signum in STOP_SIGNALS}
    try:
        with tempfile.TemporaryDirectory(prefix="floorboard-demo-") as tmp:
            if args.config is not None:
                return _run(demo_config(args.config, Path(tmp)), args)
            # The worker and simulator children read the example from a real file.
            with as_file(EXAMPLE_CONFIG) as example:
                return _run(demo_config(example, Path(tmp)), args)
    except Stopped as stop:
        print(f"demo: stopped by {signal.Signals(stop.signum).name}", file=sys.stderr)
        return 128 + stop.signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(config_path: Path, args: argparse.Namespace) -> int:
    if args.serve is not None:
        from floorboard.wallboard.serve import refusal

        if error := refusal(args):  # before the pipeline starts, not after
            print(f"floorboard: {error}", file=sys.stderr)
            return 2
    config = load_config(config_path)
    layout = Layout(config.wait_bounds_ms, config.handle_bounds_ms)
    store = RecordStore(layout_id(layout))
    with Pipeline(config_path, args) as pipeline:
        conn = KafkaConnection.from_settings(pipeline.settings)
        print(
            f"demo: broker {pipeline.broker.bootstrap}, metrics {pipeline.metrics_url}", flush=True
        )
        if args.headless:
            asyncio.run(collect(conn, pipeline.settings.snapshots_topic, store, args.seconds))
            views = store.views(int(time.time() * 1000))
            for line in summary(views, config, layout):
                print(line)
            return 0 if views.queues else 1
        from floorboard.wallboard.cli import show

        return show(args, pipeline.settings, config_path)
