"""End to end: ``ingest asterisk --follow`` on a growing, rotated file → broker → worker → /kpi.

The adapter is stopped midway and restarted from its state file while the log rotates; the
worker's /kpi then equals the offline report of the whole file, with no event lost or counted
twice, and the bad line is on the dead-letter topic with its bytes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from floorboard.cli import main
from floorboard.config import EXAMPLE_CONFIG
from floorboard.streams.broker import EmbeddedBroker
from tests.sources.test_ingest_file import FIXTURES, LINES, mapped_events
from tests.streams.worker.harness import ROOT, Pipeline

pytestmark = pytest.mark.broker
BAD = b"1795510000|9.9|billing|PJSIP/201|CONNECT|soon|9.8|1\n"
END_MS = 1795517940000  # the last line of the fixture, 2026-11-24 11:59 Oslo


def adapter(pipeline: Pipeline, log: Path, state: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "floorboard.cli", "ingest", "asterisk", str(log),
           "--site", "oslo", "--teams", str(FIXTURES / "teams.yaml"), "--wrapup", "30",
           "--follow", "--state", str(state)]  # fmt: skip
    out = (pipeline.workdir / "adapter.log").open("ab")
    return subprocess.Popen(cmd, cwd=ROOT, env=pipeline.env(), stdout=out, stderr=out)


def stop(child: subprocess.Popen[bytes]) -> None:
    child.send_signal(signal.SIGTERM)
    assert child.wait(30) == 0


async def test_follow_restart_and_rotation_reach_the_worker_exactly_once(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    pipeline = Pipeline(broker, tmp_path, partitions=2, read_at=END_MS)
    pipeline.config_path.write_bytes(EXAMPLE_CONFIG.read_bytes())
    await pipeline.create_topics()
    worker = pipeline.worker("w").start()
    log, state = tmp_path / "queue_log", tmp_path / "queue_log.state"
    try:
        await worker.wait_assigned(timeout=90)
        log.write_bytes(b"".join(LINES[:30]) + BAD)
        first = adapter(pipeline, log, state)
        try:
            await pipeline.wait_for_counts(mapped_events(LINES[:30]), 90, [worker])
        finally:
            stop(first)
        # While it is down, lines arrive, the log rotates, and the new file grows.
        with log.open("ab") as handle:
            handle.write(b"".join(LINES[30:45]))
        os.rename(log, tmp_path / "queue_log.1")
        log.write_bytes(b"".join(LINES[45:50]))
        second = adapter(pipeline, log, state)
        try:
            await asyncio.sleep(1)
            with log.open("ab") as handle:
                handle.write(b"".join(LINES[50:]))
            total = mapped_events(LINES)
            records = await pipeline.wait_for_counts(total, 90, [worker])
        finally:
            stop(second)
        kpi = await kpi_when(worker, total)
        assert kpi["counters"]["applied"] == total
        assert kpi["counters"].get("duplicate", 0) == 0
        assert records
        assert kpi["figures"]["today"] == await asyncio.to_thread(offline_figures, tmp_path)
        letters = await pipeline.dead_letters()
        assert [(d.reason, d.raw, d.topic) for d in letters] == [
            ("bad_number", BAD.rstrip(b"\n"), "ingest/asterisk")
        ]
    finally:
        worker.stop()


async def kpi_when(worker: Any, total: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        doc: dict[str, Any] = await worker.http("/kpi")
        if doc["counters"].get("applied", 0) >= total or time.monotonic() > deadline:
            return doc
        await asyncio.sleep(0.5)


def offline_figures(tmp_path: Path) -> dict[str, Any]:
    events = tmp_path / "whole.jsonl"
    argv = ["ingest", "asterisk", str(FIXTURES / "queue_log"), "--site", "oslo",
            "--teams", str(FIXTURES / "teams.yaml"), "--wrapup", "30", "--out", str(events)]  # fmt: skip
    assert main(argv) == 0
    out = subprocess.run(
        [sys.executable, "-m", "floorboard.cli", "report", str(events), "--config",
         str(EXAMPLE_CONFIG), "--json", "--at", str(END_MS)],
        capture_output=True, check=True, cwd=ROOT,
    )  # fmt: skip
    figures: dict[str, Any] = orjson.loads(out.stdout)["figures"]["today"]
    return figures
