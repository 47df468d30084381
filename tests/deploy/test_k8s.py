"""deploy/k8s: the kustomization's resources checked by kubernetes-validate against the
Kubernetes API schemas (offline), the Prometheus Operator resources against what they must
match. No cluster and no kustomize binary are needed; the generated ConfigMaps are built here as
kustomize builds them (a name, the files or literals as data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from floorboard.config import load_config
from floorboard.dashboards.prometheus import generate

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUBERNETES = "1.32.0"


def kustomization() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return data


def resources() -> list[dict[str, Any]]:
    out = [doc for name in kustomization()["resources"]
           for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]  # fmt: skip
    for generator in kustomization()["configMapGenerator"]:
        data = {f: (K8S / f).read_text() for f in generator.get("files", [])}
        data |= dict(line.split("=", 1) for line in generator.get("literals", []))
        out.append({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": generator["name"]}, "data": data})  # fmt: skip
    return out


def by_kind(kind: str) -> dict[str, Any]:
    (doc,) = [d for d in resources() if d["kind"] == kind]
    return doc


@pytest.mark.parametrize("kind", ["Namespace", "Deployment", "ConfigMap"])
def test_core_resources_validate_against_the_kubernetes_schema(kind: str) -> None:
    docs = [d for d in resources() if d["kind"] == kind]
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_worker_has_probes_resources_config_and_secrets() -> None:
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    (worker,) = pod["containers"]
    assert worker["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert worker["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert worker["resources"]["requests"] and worker["resources"]["limits"]["memory"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    sources = {next(iter(s.values()))["name"] for s in worker["envFrom"]}
    assert sources == {"floorboard-env", "floorboard-kafka"}
    assert pod["volumes"][0]["configMap"]["name"] == "floorboard-config"


def test_the_config_map_holds_a_valid_floorboard_config(tmp_path: Path) -> None:
    maps = {d["metadata"]["name"]: d for d in resources() if d["kind"] == "ConfigMap"}
    path = tmp_path / "floorboard.yaml"
    path.write_text(maps["floorboard-config"]["data"]["floorboard.yaml"])
    assert load_config(path).sites
    assert maps["floorboard-env"]["data"]["FLOORBOARD_CONFIG"] == "/etc/floorboard/floorboard.yaml"


def test_the_pod_monitor_scrapes_the_worker_port() -> None:
    deployment = by_kind("Deployment")
    monitor = by_kind("PodMonitor")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ports = {
        p["name"]: p["containerPort"]
        for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
    }
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    assert ports[endpoint["port"]] == 6066 and endpoint["path"] == "/metrics"


def test_the_prometheus_rule_is_generated_from_the_same_rules() -> None:
    assert (K8S / "prometheusrule.yaml").read_text() == generate.prometheus_rule(), (
        "run `floorboard prometheus rule > deploy/k8s/prometheusrule.yaml`"
    )
    groups = {g["name"] for g in by_kind("PrometheusRule")["spec"]["groups"]}
    assert groups == {"floorboard.recording", "floorboard.alerts"}
