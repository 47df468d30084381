"""Prometheus rules and Alertmanager routing, checked by Prometheus' own tools."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from streams.metrics.names import all_names
from tests.helpers import free_port, require_tool

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"
RULES = [
    DASHBOARDS / "prometheus" / "recording.rules.yml",
    DASHBOARDS / "prometheus" / "alerts.rules.yml",
]
ALERTMANAGER = DASHBOARDS / "alertmanager" / "alertmanager.yml"


def run(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_promtool_check_rules() -> None:
    out = run(require_tool("promtool", "prometheus"), "check", "rules", *map(str, RULES))
    assert "SUCCESS: 26 rules found" in out and "SUCCESS: 9 rules found" in out


def test_promtool_unit_tests_cover_every_alert_firing_and_quiet() -> None:
    promtool = require_tool("promtool", "prometheus")
    tests = DASHBOARDS / "prometheus" / "tests" / "alerts.test.yml"
    assert "SUCCESS" in run(promtool, "test", "rules", str(tests))
    alerts = {
        r["alert"] for g in yaml.safe_load(RULES[1].read_text())["groups"] for r in g["rules"]
    }
    cases = yaml.safe_load(tests.read_text())["tests"]
    fired = {a["alertname"] for c in cases for a in c.get("alert_rule_test", []) if a["exp_alerts"]}
    quiet = {
        a["alertname"] for c in cases for a in c.get("alert_rule_test", []) if not a["exp_alerts"]
    }
    assert fired == alerts
    assert quiet == alerts


def test_every_alert_has_guard_duration_severity_and_summary() -> None:
    for group in yaml.safe_load(RULES[1].read_text())["groups"]:
        for rule in group["rules"]:
            assert rule["for"], rule["alert"]
            assert rule["labels"]["severity"] in {"warning", "critical"}
            assert rule["labels"]["category"] in {"kpi", "pipeline"}
            assert rule["annotations"]["summary"]


def test_rules_only_use_metrics_in_the_contract() -> None:
    known = all_names()
    for path in RULES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                for name in re.findall(r"\bfloorboard_[a-z_]+", rule["expr"]):
                    assert name in known, f"{path.name}: {name}"


def test_amtool_config_and_routes() -> None:
    amtool = require_tool("amtool", "prometheus-alertmanager")
    assert "SUCCESS" in run(amtool, "check-config", str(ALERTMANAGER))

    def route(*labels: str) -> str:
        out = run(amtool, "config", "routes", "test", f"--config.file={ALERTMANAGER}", *labels)
        return next(line for line in out.splitlines() if not line.startswith("Warning"))

    assert route("category=kpi", "severity=critical", "site=oslo") == "duty-manager,oslo-floor"
    assert route("category=kpi", "severity=warning", "site=oslo") == "oslo-floor"
    assert route("category=kpi", "severity=warning", "site=bergen") == "bergen-floor"
    assert route("category=kpi", "severity=warning", "site=trondheim") == "floor-supervisors"
    assert route("category=pipeline", "severity=critical", "site=oslo") == "operations-pager"
    assert route("category=pipeline", "severity=warning", "site=all") == "operations"


def test_feed_stale_inhibits_kpi_alerts_of_its_site(tmp_path: Path) -> None:
    binary = require_tool("prometheus-alertmanager", "prometheus-alertmanager")
    port = free_port()
    proc = subprocess.Popen(
        [binary, f"--config.file={ALERTMANAGER}", f"--storage.path={tmp_path}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v2/alerts"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        alerts = [
            {"labels": {"alertname": "FloorboardFeedStale", "site": "oslo", "category": "pipeline", "severity": "critical"}},
            {"labels": {"alertname": "FloorboardServiceLevelBelowTarget", "site": "oslo", "queue": "billing", "category": "kpi", "severity": "warning"}},
            {"labels": {"alertname": "FloorboardServiceLevelBelowTarget", "site": "bergen", "queue": "billing", "category": "kpi", "severity": "warning"}},
        ]  # fmt: skip
        request = urllib.request.Request(
            base, data=json.dumps(alerts).encode(), headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=5).close()
        state: dict[str, list[str]] = {}
        for _ in range(100):  # inhibition is computed asynchronously
            with urllib.request.urlopen(base, timeout=5) as response:
                got = json.loads(response.read())
            state = {
                f"{a['labels']['alertname']}/{a['labels']['site']}": a["status"]["inhibitedBy"]
                for a in got
            }
            if len(state) == 3 and state["FloorboardServiceLevelBelowTarget/oslo"]:
                break
            time.sleep(0.1)
        assert state["FloorboardServiceLevelBelowTarget/oslo"]  # silenced by the stale feed
        assert state["FloorboardServiceLevelBelowTarget/bergen"] == []
        assert state["FloorboardFeedStale/oslo"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("path", RULES)
def test_rule_files_are_plain_yaml(path: Path) -> None:
    assert yaml.safe_load(path.read_text())["groups"]


def test_every_metric_is_documented() -> None:
    doc = (DASHBOARDS.parent / "docs" / "metrics.md").read_text()
    exposed = {
        name.removesuffix("_bucket").removesuffix("_sum").removesuffix("_count")
        for name in all_names()
    }
    for name in exposed:
        assert f"`{name}" in doc, name
