"""deploy/prometheus.yml stays valid and finds the packaged rule files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.dashboards.promtool import promtool

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "prometheus.yml"


@pytest.mark.system
def test_the_example_prometheus_config_loads_the_rules() -> None:
    out = promtool("check", "config", str(CONFIG))
    assert "recording.rules.yml" in out and "alerts.rules.yml" in out
    assert "SUCCESS" in out


def test_the_worker_listens_where_the_example_config_scrapes() -> None:
    from floorboard.streams.worker.settings import WorkerSettings

    targets = yaml.safe_load(CONFIG.read_text())["scrape_configs"][0]["static_configs"][0][
        "targets"
    ]
    assert f"localhost:{WorkerSettings().web_port}" in targets
    assert WorkerSettings().web_port == 6066
