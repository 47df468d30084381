"""Every benchmark still runs: its --quick mode, checking the output's shape, never its speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run_all import BENCHMARKS, run
from tests.helpers import require_tool

ROOT = Path(__file__).resolve().parents[2]
NEEDS_BROKER = {
    "bench.worker_throughput",
    "bench.scale_out",
    "bench.latency",
    "bench.replay",
    "bench.memory",
}
# Benchmarks that run a system tool: (tool, its Debian package).
NEEDS_TOOL = {"bench.engine_instructions": ("valgrind", "valgrind")}
RESULT_FILE = {
    "bench.engine_throughput": "engine_throughput.json",
    "bench.compiled_engine": "compiled_engine.json",
    "bench.engine_instructions": "engine_instructions.json",
    "bench.scale_out": "scale_out.json",
    "bench.latency": "latency.json",
    "bench.replay": "replay.json",
    "bench.memory": "memory.json",
    "bench.ingest_asterisk": "ingest_asterisk.json",
    "bench.bounds": "bounds.json",
    "bench.agent_read": "agent_read.json",
    "bench.day_records": "day_records.json",
    "bench.checkpoint_volume": "checkpoint_volume.json",
    "bench.record_path": "record_path.json",
}


@pytest.mark.parametrize("module", BENCHMARKS)
def test_quick_mode_runs(module: str, request: pytest.FixtureRequest) -> None:
    if module in NEEDS_BROKER:
        request.getfixturevalue("broker")  # skips (or fails under CI) without a Tansu binary
    if module in NEEDS_TOOL:
        require_tool(*NEEDS_TOOL[module])
    done = subprocess.run(
        [sys.executable, "-m", module, "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert done.stdout.strip()
    if module in RESULT_FILE:
        result = json.loads((ROOT / "bench" / "results" / RESULT_FILE[module]).read_text())
        assert result["benchmark"] == module.split(".")[1]


def test_run_all_lists_every_benchmark_module() -> None:
    modules = {f"bench.{p.stem}" for p in (ROOT / "bench").glob("*.py")}
    helpers = {"bench.__init__", "bench.run_all", "bench.workload", "bench.worker_process"}
    # measures screens of a server someone started (docs/wallboard.md), so it runs on its own
    on_its_own = {"bench.served_screens"}
    assert set(BENCHMARKS) == modules - helpers - on_its_own


def test_run_all_passes_output_through_and_reports_failures(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    assert run(["platform"], []) == 0
    out = capfd.readouterr()
    assert "=== platform" in out.out and sys.platform[:3] in out.out.lower()
    assert out.err == ""  # not a terminal: no bar
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert run(["platform", "bench.no_such_benchmark"], []) == 1
    out = capfd.readouterr()
    assert "No module named bench.no_such_benchmark" in out.out  # stdout is still a file
    assert "benchmarks" in out.err and "failed: bench.no_such_benchmark" in out.err
