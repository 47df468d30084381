"""Running Prometheus' own tools from tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers import require_tool

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "src" / "floorboard" / "dashboards" / "prometheus"
RECORDING = PROMETHEUS / "recording.rules.yml"
ALERTS = PROMETHEUS / "alerts.rules.yml"
# promtool unit tests of the rules
UNIT_TESTS = Path(__file__).resolve().parent / "prometheus"
# A recording rule's name (level:metric:operations, or an alias of before) and a raw metric's name
RULE_NAME = r"\b(?:[a-z_]+:floorboard_[a-z0-9_]+:[a-z0-9_]+|floorboard:[a-z0-9_:]+)"
METRIC_NAME = r"(?<![:\w])floorboard_[a-z0-9_]+(?![\w:])"
ALERTMANAGER = REPO / "src" / "floorboard" / "dashboards" / "alertmanager" / "alertmanager.yml"


def run(*argv: str) -> str:
    """Run a tool; fail the test with its output unless it succeeds."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def promtool(*args: str) -> str:
    return run(require_tool("promtool", "prometheus"), *args)
