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


@pytest.mark.system
def test_the_authorization_shown_for_token_protected_workers_is_valid(tmp_path: Path) -> None:
    token = tmp_path / "floorboard-worker-token"
    token.write_text("tok\n")
    text = CONFIG.read_text(encoding="utf-8").replace("../src/", f"{CONFIG.parents[1]}/src/")
    shown = "    # authorization:\n    #   type: Bearer\n    #   credentials_file: "
    assert shown in text
    enabled = text.replace(
        shown, "    authorization:\n      type: Bearer\n      credentials_file: "
    )
    enabled = enabled.replace("/etc/prometheus/secrets/floorboard-worker-token", str(token))
    config = tmp_path / "prometheus.yml"
    config.write_text(enabled, encoding="utf-8")
    out = promtool("check", "config", str(config))
    assert "SUCCESS" in out
    assert yaml.safe_load(enabled)["scrape_configs"][0]["authorization"] == {
        "type": "Bearer",
        "credentials_file": str(token),
    }


def test_the_worker_listens_where_the_example_config_scrapes() -> None:
    from floorboard.streams.worker.settings import WorkerSettings

    targets = yaml.safe_load(CONFIG.read_text())["scrape_configs"][0]["static_configs"][0][
        "targets"
    ]
    assert f"localhost:{WorkerSettings().web_port}" in targets
    assert WorkerSettings().web_port == 6066
