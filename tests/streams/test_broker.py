"""The embedded broker: start on a free port, health check, freeze and thaw, clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from floorboard.streams.broker import BrokerError, EmbeddedBroker, free_port, metadata_ok

ROOT = Path(__file__).resolve().parents[2]


def test_nothing_listening_is_not_healthy() -> None:
    assert not metadata_ok("127.0.0.1", free_port(), timeout=0.5)


def test_a_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    broker = EmbeddedBroker(binary=str(tmp_path / "no-such-tansu"))
    with pytest.raises(BrokerError, match="no-such-tansu: No such file or directory"):
        broker.start()


def test_a_binary_that_exits_at_once_is_reported_with_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "tansu"
    fake.write_text("#!/bin/sh\necho 'bad listener url' >&2\nexit 3\n")
    fake.chmod(0o755)
    broker = EmbeddedBroker(binary=str(fake), log_path=tmp_path / "log", startup_timeout=5)
    with pytest.raises(BrokerError, match="exited with code 3") as info:
        broker.start()
    assert "bad listener url" in str(info.value)
    assert not broker.running


@pytest.mark.broker
def test_start_health_pause_resume_stop(fresh_broker: Callable[[], EmbeddedBroker]) -> None:
    broker = fresh_broker()
    assert broker.running and metadata_ok(broker.host, broker.port)
    assert broker.bootstrap == f"127.0.0.1:{broker.port}"
    assert broker.url == f"kafka://127.0.0.1:{broker.port}"
    broker.pause()
    assert not metadata_ok(broker.host, broker.port, timeout=0.5)  # frozen: no answer
    broker.resume()
    broker.wait_healthy(10)
    pid = broker.pid
    broker.pause()  # a frozen broker still stops: SIGCONT goes first
    broker.stop()
    assert not broker.running
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not metadata_ok("127.0.0.1", broker.port, timeout=0.5)


@pytest.mark.broker
def test_floorboard_broker_command_creates_topics_and_stops_on_sigterm(
    fresh_broker: Callable[[], EmbeddedBroker],
) -> None:
    fresh_broker()  # only for the skip/fail rule when there is no binary
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "floorboard.cli", "broker", "--port", str(port), "--partitions", "3"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert process.stdout is not None
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline().decode()
            lines.append(line)
            if "broker ready" in line:
                break
        text = "".join(lines)
        assert f"broker ready on 127.0.0.1:{port}" in text, text
        assert "floorboard.events (3 partitions)" in text
        assert metadata_ok("127.0.0.1", port)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(20)
    assert code == 0
    assert not metadata_ok("127.0.0.1", port, timeout=0.5)
