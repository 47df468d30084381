"""Uploading the dashboards and Grafana-managed alerting through grafana-client.

Dashboards, alert rules and contact points are created or updated by uid, so a second push
changes nothing. The notification policy tree is one per organisation and a PUT replaces all of
it, so it is only sent when asked for (``--replace-notification-policy``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaClientError
from pydantic import SecretStr

from floorboard.dashboards.grafana import generate, provisioning


@dataclass
class PushReport:
    dashboards: list[str] = field(default_factory=list)
    alert_rules: list[str] = field(default_factory=list)
    contact_points: list[str] = field(default_factory=list)
    policy: bool = False


def push(
    url: str, token: SecretStr, timeout: float = 10.0, replace_policy: bool = False
) -> PushReport:
    api = GrafanaApi.from_url(url, credential=token.get_secret_value(), timeout=timeout)
    report = PushReport()
    try:
        api.folder.create_folder(provisioning.FOLDER, uid=provisioning.FOLDER_UID)
    except GrafanaClientError as exc:
        if exc.status_code not in (409, 412):  # the folder exists already
            raise
    for uid, body in generate.dashboard_json().items():
        api.dashboard.update_dashboard(
            {"dashboard": body, "folderUid": provisioning.FOLDER_UID, "overwrite": True,
             "message": "floorboard grafana push"}
        )  # fmt: skip
        report.dashboards.append(uid)
    alerting = provisioning.alerting()
    prov = api.alertingprovisioning
    for point in alerting["contactPoints"]:
        for receiver in point["receivers"]:
            _upsert(
                prov.create_contactpoint,
                prov.update_contactpoint,
                {**receiver, "name": point["name"]},
            )
        report.contact_points.append(point["name"])
    for group in alerting["groups"]:
        for rule in group["rules"]:
            body = {
                **rule,
                "folderUID": provisioning.FOLDER_UID,
                "ruleGroup": group["name"],
                "orgID": 1,
            }
            _upsert(prov.create_alertrule, prov.update_alertrule, body)
            report.alert_rules.append(rule["uid"])
    if replace_policy:
        policy = alerting["policies"][0]
        prov.set_notification_policy_tree({k: v for k, v in policy.items() if k != "orgId"})
        report.policy = True
    return report


def _upsert(
    create: Callable[[dict[str, Any]], Any],
    update: Callable[[str, dict[str, Any]], Any],
    body: dict[str, Any],
) -> None:
    """Create, or update when Grafana says it exists (a second push is not an error)."""
    try:
        create(body)
    except GrafanaClientError as exc:
        if exc.status_code not in (400, 409):
            raise
        update(body["uid"], body)
