"""Grafana artefacts, validated by schema and round trip (no Grafana server is available here),
and the push, checked against a local HTTP server that records the API requests."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard
from pydantic import SecretStr

from floorboard.dashboards.grafana import generate, provisioning
from floorboard.dashboards.grafana.panels import DATASOURCE, DATASOURCE_UID
from floorboard.dashboards.grafana.push import push
from floorboard.metrics.names import all_names
from tests.dashboards.promtool import ALERTS, METRIC_NAME, RULE_NAME

# Grafana's grid: a row is 30 px high with 8 px between rows. In kiosk mode a 1080p TV shows
# 1080 px minus the dashboard's padding (16 px above and below) without scrolling.
ROW_PX, GAP_PX = 30, 8
KIOSK_HEIGHT_PX = 1080 - 2 * 16


def rows_to_pixels(rows: int) -> int:
    return rows * ROW_PX + (rows - 1) * GAP_PX


RECORDED = {
    r["record"]
    for g in yaml.safe_load(
        (generate.GENERATED.parent.parent / "prometheus" / "recording.rules.yml").read_text()
    )["groups"]
    for r in g["rules"]
}
DASHBOARDS = generate.dashboard_json()


def test_committed_artefacts_are_not_stale() -> None:
    assert generate.stale() == [], "run `floorboard grafana generate` and commit the result"


@pytest.mark.parametrize("uid", sorted(DASHBOARDS))
def test_dashboard_shape_and_kiosk_fit(uid: str) -> None:
    board = DASHBOARDS[uid]
    for key in ("uid", "title", "panels", "schemaVersion", "templating", "time", "refresh"):
        assert key in board, key
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        pos = panel["gridPos"]
        assert pos["w"] > 0 and pos["x"] + pos["w"] <= 24
        assert rows_to_pixels(pos["y"] + pos["h"]) <= KIOSK_HEIGHT_PX, panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": DATASOURCE.uid}
        assert panel["targets"], panel["title"]
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"] and target["expr"], panel["title"]
    for variable in board["templating"]["list"]:
        if variable["type"] == "datasource":
            assert variable["query"] == "prometheus"
            continue
        assert variable["datasource"] == {"type": "prometheus", "uid": DATASOURCE.uid}
    # no two panels overlap
    cells: set[tuple[int, int]] = set()
    for panel in board["panels"]:
        pos = panel["gridPos"]
        area = {
            (x, y)
            for x in range(pos["x"], pos["x"] + pos["w"])
            for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert not cells & area, panel["title"]
        cells |= area


@pytest.mark.parametrize("uid", sorted(DASHBOARDS))
def test_queries_use_only_known_series(uid: str) -> None:
    known = all_names() | RECORDED
    for panel in DASHBOARDS[uid]["panels"]:
        for target in panel["targets"]:
            for name in re.findall(f"{RULE_NAME}|{METRIC_NAME}", target["expr"]):
                assert name in known, f"{panel['title']}: {name}"


@pytest.mark.parametrize("uid", sorted(DASHBOARDS))
def test_round_trip_through_the_sdk_model(uid: str) -> None:
    register_default_plugins()
    # __inputs is for Grafana's import, outside the dashboard model
    board = {k: v for k, v in DASHBOARDS[uid].items() if k != "__inputs"}
    text = json.dumps(board, sort_keys=True)
    again = json.loads(JSONEncoder(sort_keys=True).encode(Dashboard.from_json(json.loads(text))))
    assert again == board


@pytest.mark.parametrize("uid", sorted(DASHBOARDS))
def test_dashboards_import_anywhere_and_link_to_each_other(uid: str) -> None:
    board = DASHBOARDS[uid]
    assert [i["name"] for i in board["__inputs"]] == ["DS_PROMETHEUS"]
    assert DATASOURCE.uid == "${datasource}"  # no panel names a datasource uid of its own
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and "site" in variables
    (link,) = board["links"]
    assert link["type"] == "dashboards" and link["tags"] == ["floorboard"]
    assert link["includeVars"] and link["keepTime"]
    assert all("floorboard" in b["tags"] for b in DASHBOARDS.values())


def test_each_variable_is_where_its_panels_use_it() -> None:
    names = {uid: {v["name"] for v in b["templating"]["list"]} for uid, b in DASHBOARDS.items()}
    assert {"queue", "channel"} <= names["floorboard-queue"]
    assert "team" in names["floorboard-overview"]
    for uid, board in DASHBOARDS.items():
        exprs = " ".join(t["expr"] for p in board["panels"] for t in p["targets"])
        for variable in names[uid] - {"datasource"}:
            assert f"${variable}" in exprs, (uid, variable)


def _stats(uid: str) -> dict[str, Any]:
    return {p["title"]: p for p in DASHBOARDS[uid]["panels"] if p["type"] == "stat"}


def test_counts_are_whole_numbers_and_pipeline_tiles_turn_red_at_the_alert_lines() -> None:
    for uid in DASHBOARDS:
        for title, panel in _stats(uid).items():
            if "(n)" in title or title in {"Waiting now", "Waiting", "Agents ready"}:
                assert panel["fieldConfig"]["defaults"]["decimals"] == 0, title
    pipeline = _stats("floorboard-pipeline")

    def red(title: str) -> float:
        steps = pipeline[title]["fieldConfig"]["defaults"]["thresholds"]["steps"]
        return float(next(s["value"] for s in steps if s["color"] == "red"))

    alerts = ALERTS.read_text()
    assert red("Age of newest event") == 600 and "> 600)" in alerts  # FloorboardFeedStale
    assert red("Consumer lag") == 1000 and "> 1000" in alerts  # FloorboardConsumerLagGrowing
    assert (
        red("Dead letters, 1 h") == 10 and "[10m])) > 10" in alerts
    )  # FloorboardDeadLettersRising


def test_no_chart_rescales_a_figure_to_share_an_axis() -> None:
    for board in DASHBOARDS.values():
        for panel in board["panels"]:
            for target in panel["targets"]:
                assert not re.search(r"[*/] ?(5|20)\b", target["expr"]), panel["title"]
                assert "÷" not in target["legendFormat"] and "×" not in target["legendFormat"]


def test_the_provisioned_datasource_is_not_the_default() -> None:
    (source,) = provisioning.datasources()["datasources"]
    assert source["isDefault"] is False


def test_quality_sits_beside_production_on_the_overview() -> None:
    first_row = [
        p["title"] for p in DASHBOARDS["floorboard-overview"]["panels"] if p["gridPos"]["y"] == 0
    ]
    assert any("Service level" in t for t in first_row) and any("CSAT" in t for t in first_row)


def test_grafana_alert_rules_mirror_the_prometheus_alerts() -> None:
    doc = yaml.safe_load(
        (generate.GENERATED / "provisioning" / "alerting" / "floorboard.yaml").read_text()
    )
    rules = {r["title"]: r for r in doc["groups"][0]["rules"]}
    prom = {
        r["alert"]: r
        for g in yaml.safe_load(provisioning.PROMETHEUS_RULES.read_text())["groups"]
        for r in g["rules"]
    }
    assert set(rules) == set(prom)
    for name, rule in rules.items():
        assert rule["condition"] == "C"
        assert rule["data"][0]["model"]["expr"] == prom[name]["expr"].strip()
        assert rule["data"][0]["datasourceUid"] == DATASOURCE_UID
        assert rule["for"] == prom[name]["for"] and rule["labels"] == prom[name]["labels"]
        # Grafana's value of query A replaces Prometheus' $value; nothing else changes
        for key, text in prom[name]["annotations"].items():
            assert rule["annotations"][key] == text.replace("$value", "$values.A.Value")
        assert (
            "$labels.site" in rule["annotations"]["summary"]
            or "$labels.topic" in rule["annotations"]["summary"]
            or "$labels.reason" in rule["annotations"]["summary"]
            or rule["labels"]["site"] == "all"
        )
    assert {p["name"] for p in doc["contactPoints"]} == {
        "operations",
        "duty-manager",
        "floor-supervisors",
    }
    assert doc["policies"][0]["receiver"] == "operations"


class Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, str, dict[str, str], Any]]] = []
    conflict_on: ClassVar[set[tuple[str, str]]] = set()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        Recorder.requests.append((self.command, self.path, dict(self.headers), body))
        status = 409 if (self.command, self.path) in Recorder.conflict_on else 200
        payload = json.dumps({"message": "recorded"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _handle

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def grafana() -> Iterator[str]:
    Recorder.requests = []
    Recorder.conflict_on = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_push_sends_grafana_api_shapes(grafana: str) -> None:
    report = push(grafana, SecretStr("glsa_test_token"))
    assert sorted(report.dashboards) == sorted(DASHBOARDS)
    calls = [(m, p) for m, p, _, _ in Recorder.requests]
    assert ("POST", "/api/folders") in calls
    for method, path, headers, body in Recorder.requests:
        assert headers["Authorization"] == "Bearer glsa_test_token"
        if (method, path) == ("POST", "/api/folders"):
            assert body == {"title": "Floorboard", "uid": "floorboard"}
        elif (method, path) == ("POST", "/api/dashboards/db"):
            assert (
                set(body) >= {"dashboard", "folderUid", "overwrite"} and body["overwrite"] is True
            )
            assert body["dashboard"]["uid"] in DASHBOARDS and body["dashboard"]["panels"]
        elif (method, path) == ("POST", "/api/v1/provisioning/alert-rules"):
            assert set(body) >= {
                "uid",
                "title",
                "condition",
                "data",
                "folderUID",
                "ruleGroup",
                "for",
                "orgID",
            }
            assert [d["refId"] for d in body["data"]] == ["A", "C"]
        elif (method, path) == ("POST", "/api/v1/provisioning/contact-points"):
            assert set(body) >= {"uid", "name", "type", "settings"}
        elif (method, path) == ("PUT", "/api/v1/provisioning/policies"):
            assert body["receiver"] == "operations" and body["routes"]
        else:
            pytest.fail(f"unexpected request {method} {path}")
    assert calls.count(("POST", "/api/dashboards/db")) == len(DASHBOARDS)
    alerts = yaml.safe_load(provisioning.PROMETHEUS_RULES.read_text())["groups"][0]["rules"]
    assert (
        calls.count(("POST", "/api/v1/provisioning/alert-rules"))
        == len(report.alert_rules)
        == len(alerts)
    )
    # the organisation's policy tree is shared: it is left alone unless asked for
    assert ("PUT", "/api/v1/provisioning/policies") not in calls and not report.policy


def test_push_replaces_the_policy_tree_only_when_asked(grafana: str) -> None:
    report = push(grafana, SecretStr("t"), replace_policy=True)
    puts = [
        body
        for m, p, _, body in Recorder.requests
        if (m, p) == ("PUT", "/api/v1/provisioning/policies")
    ]
    assert report.policy and len(puts) == 1
    assert puts[0]["receiver"] == "operations" and "orgId" not in puts[0]
    assert {r["receiver"] for r in puts[0]["routes"]} == {
        "duty-manager",
        "floor-supervisors",
        "operations",
    }


def test_second_push_updates_existing_rules(grafana: str) -> None:
    Recorder.conflict_on = {("POST", "/api/v1/provisioning/alert-rules"), ("POST", "/api/folders")}
    report = push(grafana, SecretStr("t"))
    updates = [
        p
        for m, p, _, _ in Recorder.requests
        if m == "PUT" and p.startswith("/api/v1/provisioning/alert-rules/")
    ]
    assert sorted(updates) == sorted(
        f"/api/v1/provisioning/alert-rules/{uid}" for uid in report.alert_rules
    )


def test_push_cli_reports_unreachable_grafana(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from floorboard.cli import main

    monkeypatch.setenv("GRAFANA_TOKEN", "t")
    assert main(["grafana", "push", "--url", "http://127.0.0.1:9"]) == 1
    assert "floorboard grafana push:" in capsys.readouterr().err


def test_push_cli_reads_the_token_from_a_file_or_grafanas_variable(
    grafana: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from floorboard.cli import main

    monkeypatch.delenv("GRAFANA_TOKEN", raising=False)
    token = tmp_path / "token"
    token.write_text("glsa_from_file\n")
    assert main(["grafana", "push", "--url", grafana, "--token-file", str(token)]) == 0
    assert {h["Authorization"] for _, _, h, _ in Recorder.requests} == {"Bearer glsa_from_file"}
    Recorder.requests = []
    monkeypatch.setenv("GRAFANA_URL", grafana)
    monkeypatch.setenv("GRAFANA_TOKEN", "glsa_from_env")
    assert main(["grafana", "push"]) == 0
    assert {h["Authorization"] for _, _, h, _ in Recorder.requests} == {"Bearer glsa_from_env"}
    assert "glsa_from" not in capsys.readouterr().out


def test_push_cli_without_a_token_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from floorboard.cli import main

    monkeypatch.delenv("GRAFANA_TOKEN", raising=False)
    assert main(["grafana", "push", "--url", "http://127.0.0.1:9"]) == 2
    assert capsys.readouterr().err == (
        "floorboard grafana push: --token-file: not given and GRAFANA_TOKEN is not set\n"
    )
