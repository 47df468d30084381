"""deploy/prometheus.yml stays valid and finds the packaged rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboards.promtool import promtool

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "prometheus.yml"


@pytest.mark.system
def test_the_example_prometheus_config_loads_the_rules() -> None:
    out = promtool("check", "config", str(CONFIG))
    assert "recording.rules.yml" in out and "alerts.rules.yml" in out
    assert "SUCCESS" in out
