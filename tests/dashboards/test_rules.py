"""Prometheus rules and Alertmanager routing, checked by Prometheus' own tools."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from floorboard.config import SlVariant
from floorboard.dashboards.prometheus import generate, recording
from floorboard.metrics.names import all_names
from tests.dashboards.promtool import (
    ALERTMANAGER,
    ALERTS,
    METRIC_NAME,
    RECORDING,
    REPO,
    RULE_NAME,
    UNIT_TESTS,
    promtool,
    run,
)
from tests.helpers import free_port, require_tool

RULES = [RECORDING, ALERTS]


def rules_of(path: Path) -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def test_committed_recording_rules_are_not_stale() -> None:
    assert not generate.stale(), "run `floorboard prometheus generate` and commit the result"


def test_alert_links_point_at_the_hosts_given(tmp_path: Path) -> None:
    out = tmp_path / "alerts.rules.yml"
    cli = [sys.executable, "-m", "floorboard.cli", "prometheus"]
    done = subprocess.run(
        [*cli, "alerts", "--runbook-url", "https://docs.acme.internal/fb/",
         "--grafana-url", "https://grafana.acme.internal"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out.write_text(done.stdout)
    rules = [r for r in rules_of(out) if "alert" in r]
    assert len(rules) == len([r for r in rules_of(ALERTS) if "alert" in r])
    for rule in rules:
        links = rule["annotations"]
        assert links["runbook_url"].startswith("https://docs.acme.internal/fb/runbooks.md#")
        assert links["dashboard_url"].startswith("https://grafana.acme.internal/d/floorboard-")
    assert f"SUCCESS: {len(rules)} rules found" in promtool("check", "rules", str(out))
    bad = subprocess.run([*cli, "rule", "--grafana-url", "grafana"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--grafana-url: 'grafana': expected http(s)://" in bad.stderr


def test_promtool_check_rules() -> None:
    out = promtool("check", "rules", *map(str, RULES))
    for path in RULES:
        assert f"SUCCESS: {len(rules_of(path))} rules found" in out


@pytest.mark.parametrize("name", ["alerts.test.yml", "recording.test.yml", "teams.test.yml"])
def test_promtool_unit_tests(name: str) -> None:
    assert "SUCCESS" in promtool("test", "rules", str(UNIT_TESTS / name))


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    alerts = {r["alert"] for r in rules_of(ALERTS)}
    cases = yaml.safe_load((UNIT_TESTS / "alerts.test.yml").read_text())["tests"]
    checks = [a for c in cases for a in c.get("alert_rule_test", [])]
    assert {a["alertname"] for a in checks if a["exp_alerts"]} == alerts
    assert {a["alertname"] for a in checks if not a["exp_alerts"]} == alerts


def test_every_alert_has_guard_duration_severity_and_summary() -> None:
    for rule in rules_of(ALERTS):
        assert re.fullmatch(r"\d+[smh]", rule["for"]) and rule["for"] != "0s", rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["labels"]["category"] in {"kpi", "pipeline"}
        # routing and the feed-stale inhibition need a site: from the expression or a label
        assert "site" in rule["labels"] or "(site" in rule["expr"], rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        anchor = rule["alert"].lower()
        assert rule["annotations"]["runbook_url"].endswith(f"/runbooks.md#{anchor}")
        assert re.match(
            r"https://grafana\.example/d/floorboard-[a-z]+", rule["annotations"]["dashboard_url"]
        )


def test_every_alert_has_a_runbook_section() -> None:
    runbooks = (REPO / "docs" / "runbooks.md").read_text()
    sections = set(re.findall(r"^## (Floorboard\w+)$", runbooks, flags=re.MULTILINE))
    alerts = {r["alert"] for r in rules_of(ALERTS)}
    assert alerts == sections


def test_old_recording_rule_names_are_aliases_of_the_new() -> None:
    rules = {r["record"]: r["expr"] for r in rules_of(RECORDING)}
    aliases = {name: expr for name, expr in rules.items() if name.startswith("floorboard:")}
    assert len(aliases) > 80
    for name, expr in aliases.items():
        if name != "floorboard:target":
            assert expr in rules and not expr.startswith("floorboard:"), name


def test_recording_rules_read_only_rules_defined_above_them() -> None:
    # One group evaluates in order: a rule reading a later rule would see the last cycle's value.
    seen: set[str] = set()
    for rule in rules_of(RECORDING):
        for name in re.findall(RULE_NAME, rule["expr"]):
            assert name in seen, f"{rule['record']} reads {name} before it is recorded"
        seen.add(rule["record"])


def test_every_sl_variant_has_a_denominator() -> None:
    assert set(recording.SL_DENOMINATOR) == set(SlVariant)
    denominator = next(
        r for r in rules_of(RECORDING) if r["record"] == recording.name("sl_denominator", "today")
    )
    for variant in SlVariant:
        assert f'variant="{variant.value}"' in denominator["expr"]


def test_rules_only_use_metrics_in_the_contract() -> None:
    known = all_names()
    for path in RULES:
        for rule in rules_of(path):
            for name in re.findall(METRIC_NAME, rule["expr"]):
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
    assert route("category=pipeline", "severity=critical", "site=all") == "operations-pager"
    assert route("category=pipeline", "severity=warning", "site=all") == "operations"


# Where each alert lands for a site with its own floor (oslo): one line per alert, so a new alert
# needs a routing decision here.
ROUTED = {
    "FloorboardServiceLevelBelowTarget": "oslo-floor",
    "FloorboardAbandonmentAboveTarget": "oslo-floor",
    "FloorboardLongestWaitAboveThreshold": "duty-manager,oslo-floor",
    "FloorboardServiceLevelBudgetBurn": "duty-manager,oslo-floor",
    "FloorboardWaitingWithNobodyFree": "duty-manager,oslo-floor",
    "FloorboardCsatBelowTarget": "oslo-floor",
    "FloorboardNpsBelowTarget": "oslo-floor",
    "FloorboardFeedStale": "operations-pager",
    "FloorboardConsumerLagGrowing": "operations",
    "FloorboardDeadLettersRising": "operations",
    "FloorboardCheckpointsFailing": "operations",
    "FloorboardWorkerDown": "operations",
    "FloorboardSourceReset": "operations",
    "FloorboardNoWorkerReporting": "operations-pager",
}


def test_every_alert_reaches_its_receivers() -> None:
    amtool = require_tool("amtool", "prometheus-alertmanager")
    rules = {r["alert"]: r for r in rules_of(ALERTS)}
    assert set(rules) == set(ROUTED)
    for name, rule in rules.items():
        labels = {"site": "oslo", **rule["labels"], "alertname": name}
        out = run(amtool, "config", "routes", "test", f"--config.file={ALERTMANAGER}",
                  *(f"{k}={v}" for k, v in labels.items()))  # fmt: skip
        receivers = next(line for line in out.splitlines() if not line.startswith("Warning"))
        assert receivers == ROUTED[name], name


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
