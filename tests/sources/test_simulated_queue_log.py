"""The simulator's queue_log (the demo's Asterisk path) read back by ``ingest asterisk``: the
queue counts equal those of the simulator's own events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from floorboard.cli import main
from floorboard.config import EXAMPLE_CONFIG

CONFIG = str(EXAMPLE_CONFIG)
SIM = ["simulate", "--config", CONFIG, "--start", "2026-11-24T08:00", "--duration", "3h"]


def today(events: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", str(events), "--config", CONFIG, "--json"]) == 0
    figures: dict[str, Any] = orjson.loads(capsys.readouterr().out)["figures"]["today"]["queues"]
    return figures


def test_queue_counts_survive_the_queue_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    direct, log, read = tmp_path / "sim.jsonl", tmp_path / "queue_log", tmp_path / "read.jsonl"
    assert main([*SIM, "--out", str(direct)]) == 0
    assert main([*SIM, "--format", "queue_log", "--out", str(log)]) == 0
    assert main(["ingest", "asterisk", str(log), "--site", "oslo", "--out", str(read)]) == 0
    expected, got = today(direct, capsys), today(read, capsys)
    voice = sorted(k for k in expected if k.endswith("/voice"))
    assert voice and sorted(got) == voice
    for key in voice:
        for name in ("offered", "answered", "abandoned", "callbacks", "transfer_rate"):
            assert got[key][name]["value"] == expected[key][name]["value"], (key, name)
