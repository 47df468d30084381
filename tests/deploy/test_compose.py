"""deploy/compose.yaml against the compose specification's JSON schema, and what it mounts.

The schema is vendored from github.com/compose-spec/compose-spec (schema/compose-spec.json at
commit 170098ba07d9f53c383a41bfd4c5166b0a4529a6; Apache License 2.0, beside it as
compose-spec.LICENSE): no package on the index ships it. Docker is not run here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from floorboard.dashboards.grafana import provisioning
from floorboard.streams.worker.settings import WorkerSettings
from tests.dashboards.promtool import promtool

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "compose-spec.json"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def test_compose_file_follows_the_compose_specification() -> None:
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))  # the schema's own draft
    errors = sorted(validator.iter_errors(compose()), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    broken = compose()
    broken["services"]["worker"]["scale_to"] = 3  # the schema is strict: unknown keys fail
    assert not validator.is_valid(broken)


def test_the_stack_runs_n_workers_with_monitoring_and_the_wallboard() -> None:
    services = compose()["services"]
    assert {
        "kafka",
        "worker",
        "simulator",
        "wallboard",
        "prometheus",
        "alertmanager",
        "grafana",
    } <= set(services)
    worker = services["worker"]
    # --scale worker=N: no fixed name, no published port; Prometheus finds replicas by DNS
    assert "container_name" not in worker and "ports" not in worker
    assert "/readyz" in " ".join(worker["healthcheck"]["test"])
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft
    scrape = yaml.safe_load((DEPLOY / "compose" / "prometheus.yml").read_text())
    (dns,) = scrape["scrape_configs"][0]["dns_sd_configs"]
    assert dns["names"] == ["worker"] and dns["port"] == WorkerSettings().web_port


def test_every_mounted_file_exists() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), (name, source)
    for config in compose()["configs"].values():
        assert (DEPLOY / config["file"]).is_file()
    assert (DEPLOY / services["worker"]["build"]["dockerfile"].removeprefix("deploy/")).is_file()


def test_grafana_datasource_is_the_generated_one_with_the_compose_url() -> None:
    ours = yaml.safe_load((DEPLOY / "compose" / "grafana-datasource.yaml").read_text())
    assert ours == provisioning.datasources("http://prometheus:9090")


def test_the_compose_prometheus_config_is_valid() -> None:
    out = promtool("check", "config", "--syntax-only", str(DEPLOY / "compose" / "prometheus.yml"))
    assert "SUCCESS" in out


def test_the_image_installs_only_locked_dependencies_as_a_non_root_user() -> None:
    text = (DEPLOY / "Containerfile").read_text()
    assert text.count("\nFROM ") == 2 and "\nFROM python:3.11-slim-bookworm AS build\n" in text
    assert "uv export --frozen --no-dev" in text and "--require-hashes" in text
    # the non-root user cannot write __pycache__: both installs compile the bytecode
    assert text.count("--compile-bytecode") == 2
    assert "\nUSER 10001:10001\n" in text and "EXPOSE 6066" in text
