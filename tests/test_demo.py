"""The one-command demo: start-time choice, a clean headless run, and the wallboard in tmux."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorboard.config import EXAMPLE_CONFIG, load_config
from floorboard.demo import demo_start
from floorboard.streams.broker import EmbeddedBroker
from tests.helpers import require_tool

REPO = Path(__file__).resolve().parents[1]
CONFIG = load_config(EXAMPLE_CONFIG)
OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (dt.datetime(2026, 11, 23, 10, 15, tzinfo=OSLO), "2026-11-23T10:15"),
        (dt.datetime(2026, 11, 23, 6, 0, tzinfo=OSLO), "2026-11-23T08:00"),
        (dt.datetime(2026, 11, 23, 21, 30, tzinfo=OSLO), "2026-11-24T08:00"),
        (dt.datetime(2026, 11, 23, 22, 30, tzinfo=dt.UTC), "2026-11-24T08:00"),
    ],
)
def test_demo_day_starts_in_opening_hours(now: dt.datetime, start: str) -> None:
    assert demo_start(CONFIG, now) == start


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.broker
def test_headless_demo_prints_both_kinds_of_figures_and_leaves_nothing(
    broker: EmbeddedBroker,
) -> None:
    # broker: the session fixture proves the Tansu binary is there; the demo starts its own.
    # Surveys come a median 25 simulated minutes after the contact: at 240× the ≈13 s left after
    # start-up cover ≈50 minutes, enough for answers (at 60× a run could end with none).
    demo = subprocess.Popen(
        [sys.executable, "-m", "floorboard.cli", "demo", "--headless", "--seconds", "20",
         "--speed", "240"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    out, _ = demo.communicate(timeout=240)
    text = out.decode()
    assert demo.returncode == 0, text
    production = re.search(r"production: offered (\d+), SL (\d+)%", text)
    assert production and int(production.group(1)) > 0, text
    assert re.search(r"quality: +CSAT [\d.]+ \(n=\d+\), NPS [+-]\d+", text), text
    deadline = time.monotonic() + 10
    while group_alive(demo.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group_alive(demo.pid), "the demo left processes behind"


@pytest.mark.broker
def test_secure_demo_runs_the_whole_pipeline_over_tls(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    # Its broker serves only TLS: figures at the end mean worker, simulator and reader all used it.
    demo = subprocess.run(
        [sys.executable, "-m", "floorboard.cli", "demo", "--headless", "--secure",
         "--seconds", "15", "--speed", "240"],
        cwd=REPO, capture_output=True, timeout=240, env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    text = demo.stdout.decode() + demo.stderr.decode()
    assert demo.returncode == 0, text
    production = re.search(r"production: offered (\d+)", text)
    assert production and int(production.group(1)) > 0, text
    assert not list(tmp_path.glob("floorboard-tls-*")), "the demo's CA outlived it"


@pytest.mark.broker
@pytest.mark.system
def test_wallboard_in_tmux_shows_living_figures(broker: EmbeddedBroker) -> None:
    tmux = require_tool("tmux", "tmux")
    socket = f"floorboard-{uuid.uuid4().hex[:8]}"
    base = [tmux, "-L", socket]
    # Textual takes COLUMNS and LINES over the terminal's size: the board must fill the pane.
    command = f"env -u COLUMNS -u LINES {sys.executable} -m floorboard.cli demo --layout supervisor; sleep 30"
    subprocess.run(
        [
            *base,
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "48",
            "-s",
            "board",
            "-c",
            str(REPO),
            command,
        ],
        check=True,
    )
    try:
        subprocess.run(
            [*base, "resize-window", "-t", "board", "-x", "160", "-y", "48"], check=False
        )
        pane_pid = int(subprocess.run([*base, "display", "-p", "-t", "board", "#{pane_pid}"],
                                      check=True, capture_output=True, text=True).stdout)  # fmt: skip

        def screen() -> str:
            return subprocess.run([*base, "capture-pane", "-p", "-t", "board"], check=True,
                                  capture_output=True, text=True).stdout  # fmt: skip

        deadline = time.monotonic() + 120
        first = ""
        while time.monotonic() < deadline:
            first = screen()
            ready = all(word in first for word in ("data as of", "Service", "CSAT", "Queue"))
            if ready and re.search(r"\d+%", first) and "DATA IS STALE" not in first:
                break
            time.sleep(1)
        assert "FLOORBOARD" in first and "Service" in first and "CSAT" in first, first
        stamp = re.search(r"data as of (\d\d:\d\d:\d\d)", first)
        assert stamp, first
        changed = ""
        while time.monotonic() < deadline:
            time.sleep(2)
            changed = screen()
            later = re.search(r"data as of (\d\d:\d\d:\d\d)", changed)
            if later and later.group(1) != stamp.group(1):
                break
        assert re.search(r"data as of (\d\d:\d\d:\d\d)", changed).group(1) != stamp.group(1)  # type: ignore[union-attr]
        subprocess.run([*base, "send-keys", "-t", "board", "q"], check=True)
        # the demo exits and takes its broker, worker and simulator with it; only `sleep` is left
        deadline = time.monotonic() + 30
        children: list[str] = []
        while time.monotonic() < deadline:
            children = subprocess.run(["pgrep", "-f", "floorboard.cli (worker|simulate|demo)", "-s", str(os.getsid(pane_pid))],
                                      capture_output=True, text=True).stdout.split()  # fmt: skip
            if not children:
                break
            time.sleep(0.5)
        assert children == []
    finally:
        subprocess.run([*base, "kill-server"], check=False)


@pytest.mark.broker
def test_headless_demo_on_an_asterisk_queue_log(broker: EmbeddedBroker) -> None:
    # The simulator writes a queue_log and `ingest asterisk --follow` feeds the worker from it.
    demo = subprocess.Popen(
        [sys.executable, "-m", "floorboard.cli", "demo", "--headless", "--seconds", "20",
         "--speed", "240", "--source", "asterisk"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    out, _ = demo.communicate(timeout=240)
    text = out.decode()
    assert demo.returncode == 0, text
    production = re.search(r"production: offered (\d+), SL (\d+)%", text)
    assert production and int(production.group(1)) > 0, text
    deadline = time.monotonic() + 10
    while group_alive(demo.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group_alive(demo.pid), "the demo left processes behind"


@pytest.mark.parametrize(
    "bad",
    [["--scenario", "nope"], ["--speed", "fast"], ["--web-port", "70000"], ["--seconds", "0"]],
)
def test_bad_demo_arguments_stop_before_anything_starts(
    bad: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from floorboard.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--headless", *bad])
    assert exit_.value.code == 2
    assert bad[0] in capsys.readouterr().err


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, from /proc (children of each of its threads)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                for child in map(int, children.read_text().split()):
                    if child not in found:
                        found.add(child)
                        todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.broker
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_stop_signal_stops_everything_the_demo_started(
    broker: EmbeddedBroker, signum: signal.Signals
) -> None:
    # issue 12, row 9: broker, worker and simulator kept running, re-parented to pid 1
    demo = subprocess.Popen(
        [sys.executable, "-m", "floorboard.cli", "demo", "--headless", "--seconds", "600"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        assert demo.stdout is not None
        line = demo.stdout.readline()  # printed once broker, worker and simulator run
        assert line.startswith(b"demo: broker"), line
        started = descendants(demo.pid)
        assert len(started) >= 3, started  # broker, worker, simulator
        demo.send_signal(signum)
        out, _ = demo.communicate(timeout=60)
        assert demo.returncode == 128 + signum, out
        assert f"stopped by {signum.name}".encode() in out
        deadline = time.monotonic() + 20
        while any(map(running, started)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in started if running(pid)]
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
