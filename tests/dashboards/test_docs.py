"""docs/metrics.md and docs/operations.md say what the contract and the rules say."""

from __future__ import annotations

import re

import yaml

from floorboard.dashboards.metrics_doc import tables
from floorboard.metrics.names import all_names
from tests.dashboards.promtool import ALERTS, RECORDING, REPO, RULE_NAME

METRICS_DOC = (REPO / "docs" / "metrics.md").read_text()
OPERATIONS_DOC = (REPO / "docs" / "operations.md").read_text()


def test_metric_tables_are_the_contract() -> None:
    for title, body in tables().items():
        assert body in METRICS_DOC, (
            f"{title}: paste `python -m floorboard.dashboards.metrics_doc` output"
        )


def test_every_metric_is_documented() -> None:
    for name in all_names():
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert f"`{family}`" in METRICS_DOC, name


def test_every_recording_rule_is_documented() -> None:
    documented = set(re.findall(f"`({RULE_NAME})`", METRICS_DOC))
    recorded = {
        r["record"] for g in yaml.safe_load(RECORDING.read_text())["groups"] for r in g["rules"]
    }
    assert recorded <= documented, recorded - documented
    # and nothing documented that does not exist (a renamed rule leaves no stale name behind)
    rules_text = RECORDING.read_text()
    assert {name for name in documented if name not in rules_text} == set()


def test_every_alert_is_in_the_operations_table() -> None:
    for group in yaml.safe_load(ALERTS.read_text())["groups"]:
        for rule in group["rules"]:
            row = next(
                (line for line in OPERATIONS_DOC.splitlines() if f"`{rule['alert']}`" in line), ""
            )
            assert row, rule["alert"]
            assert f"| {rule['for']} |" in row and rule["labels"]["severity"] in row, rule["alert"]
