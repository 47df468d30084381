"""Grafana file provisioning: the datasource, the dashboard provider, and Grafana-managed alerting
(rules, contact points, notification policy).

The alert rules are derived from the packaged prometheus/alerts.rules.yml, so each alert is
defined once: query A is the Prometheus alert's expression (it returns a series only while the
condition holds), and condition C fires for every series A returns.
"""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from floorboard.dashboards.grafana.panels import DATASOURCE_UID

PROMETHEUS_RULES = files("floorboard.dashboards.prometheus") / "alerts.rules.yml"
FOLDER_UID = "floorboard"
FOLDER = "Floorboard"
# Prometheus' "$value" (the word boundary leaves a "$values" alone).
_VALUE = re.compile(r"\$value\b")


def datasources(prometheus_url: str = "http://localhost:9090") -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Floorboard Prometheus",
                "uid": DATASOURCE_UID,
                "type": "prometheus",
                "access": "proxy",
                "url": prometheus_url,
                # never take over an existing Grafana's default datasource
                "isDefault": False,
                "jsonData": {"timeInterval": "15s"},
            }
        ],
    }


def dashboard_provider() -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "floorboard",
                "folder": FOLDER,
                "folderUid": FOLDER_UID,
                "type": "file",
                "disableDeletion": False,
                "allowUiUpdates": False,
                "options": {"path": "/var/lib/grafana/dashboards/floorboard"},
            }
        ],
    }


_DASHBOARD = re.compile(r"/d/([\w-]+)")


def _grafana_template(text: str) -> str:
    """Prometheus' ``$value`` is Grafana's ``$values.A.Value`` (query A holds the alert's
    expression); ``$labels`` and the humanize functions are the same in both."""
    return _VALUE.sub("$values.A.Value", text)


def alert_rules(path: Traversable = PROMETHEUS_RULES) -> list[dict[str, Any]]:
    rules = []
    for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
        for rule in group["rules"]:
            name = rule["alert"]
            rules.append(
                {
                    "uid": re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()[:40],
                    "title": name,
                    "condition": "C",
                    "data": [
                        {
                            "refId": "A",
                            "relativeTimeRange": {"from": 3600, "to": 0},
                            "datasourceUid": DATASOURCE_UID,
                            "model": {"refId": "A", "expr": rule["expr"].strip(), "instant": True},
                        },
                        {
                            "refId": "C",
                            "datasourceUid": "__expr__",
                            "model": {"refId": "C", "type": "math", "expression": "$A == $A"},
                        },
                    ],
                    "noDataState": "OK",
                    "execErrState": "Error",
                    "for": rule["for"],
                    "labels": dict(rule["labels"]),
                    "annotations": {
                        **{k: _grafana_template(v) for k, v in rule["annotations"].items()},
                        # Grafana links an alert to its dashboard by uid
                        "__dashboardUid__": _DASHBOARD.findall(
                            rule["annotations"]["dashboard_url"]
                        )[0],
                    },
                }
            )
    return rules


def alerting() -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "groups": [
            {
                "orgId": 1,
                "name": "floorboard",
                "folder": FOLDER,
                "interval": "1m",
                "rules": alert_rules(),
            }
        ],
        "contactPoints": [
            {
                "orgId": 1,
                "name": name,
                "receivers": [
                    {
                        "uid": f"fb-{name}",
                        "type": "webhook",
                        "settings": {"url": f"http://127.0.0.1:9095/{name}"},
                    }
                ],
            }
            for name in ("operations", "duty-manager", "floor-supervisors")
        ],
        "policies": [
            {
                "orgId": 1,
                "receiver": "operations",
                "group_by": ["alertname", "site"],
                "routes": [
                    {
                        "receiver": "duty-manager",
                        "object_matchers": [
                            ["category", "=", "kpi"],
                            ["severity", "=", "critical"],
                        ],
                        "continue": True,
                    },
                    {
                        "receiver": "floor-supervisors",
                        "object_matchers": [["category", "=", "kpi"]],
                    },
                    {"receiver": "operations", "object_matchers": [["category", "=", "pipeline"]]},
                ],
            }
        ],
    }
