"""A real Prometheus scraping a real worker fed by the simulator's lunch-peak overload.

The recording rules must give the service level the engine computes for the same events, and the
service-level alert must reach the firing state. The alerts' ``for:`` durations are shortened to
zero in a copy of the rule file so the test takes seconds, not ten minutes; the expressions are
the committed ones.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from floorboard.config import EXAMPLE_CONFIG, load_config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.views import merge
from floorboard.simulator import SCENARIOS, generate
from floorboard.simulator.emit import paced, to_kafka
from floorboard.simulator.feed import records
from floorboard.streams.broker import EmbeddedBroker
from tests.helpers import free_port, require_tool
from tests.streams.worker.harness import Pipeline

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "src" / "floorboard" / "dashboards" / "prometheus"
START = 1795428000000  # 2026-11-23 11:00 Europe/Oslo: the lunch peak
SPAN = 2 * 3_600_000
WALL_SECONDS = 30  # the two simulated hours are sent over this long


def prometheus_config(tmp: Path, worker_port: int) -> Path:
    alerts = yaml.safe_load((RULES / "alerts.rules.yml").read_text())
    for group in alerts["groups"]:
        for rule in group["rules"]:
            rule["for"] = "0s"
    (tmp / "alerts.rules.yml").write_text(yaml.safe_dump(alerts))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES / "recording.rules.yml"), str(tmp / "alerts.rules.yml")],
        "scrape_configs": [
            {
                "job_name": "floorboard-worker",
                "static_configs": [{"targets": [f"127.0.0.1:{worker_port}"]}],
            }
        ],
    }
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def query(port: int, path: str, **params: str) -> Any:
    url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.loads(response.read())
    assert body["status"] == "success", body
    return body["data"]


@pytest.mark.broker
@pytest.mark.system
async def test_recording_rules_and_alert_on_a_live_worker(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    prometheus = require_tool("prometheus", "prometheus")
    config = load_config(EXAMPLE_CONFIG)
    events = list(generate(config, SCENARIOS["lunch_peak"], START, SPAN, 11))
    pipeline = Pipeline(broker, tmp_path, partitions=2, read_at=START + SPAN)
    (tmp_path / "floorboard.yaml").write_text(EXAMPLE_CONFIG.read_text())
    await pipeline.create_topics()
    worker = pipeline.worker("a").start()
    prom_port = free_port()
    prom = subprocess.Popen(
        [prometheus, f"--config.file={prometheus_config(tmp_path, worker.port)}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prom_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await worker.wait_assigned(timeout=90)
        recs = records(events, SCENARIOS["lunch_peak"], START, 11)
        sent = await to_kafka(paced(recs, SPAN / 1000 / WALL_SECONDS, START), pipeline.conn,
                              pipeline.settings.events_topic, per_record=20)  # fmt: skip
        assert sent == len(events)
        await pipeline.wait_for_counts(len(events), timeout=120, watch=[worker])

        reference = Engine(config)
        for event in events:
            reference.apply(event)
        today = merge(snapshot(reference, START + SPAN, "ref")).site_windows("oslo")["today"]
        ix = reference.layout.index
        expected = today[ix["answered_within_sl"]] / today[ix["offered"]]
        assert expected < 0.7  # the overload really happened

        deadline = time.monotonic() + 60
        value: float | None = None
        firing: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            result = await asyncio.to_thread(
                query,
                prom_port,
                "/api/v1/query",
                query='site:floorboard_service_level:today{site="oslo"}',
            )
            value = float(result["result"][0]["value"][1]) if result["result"] else None
            alerts = (await asyncio.to_thread(query, prom_port, "/api/v1/alerts"))["alerts"]
            firing = [
                a for a in alerts
                if a["labels"]["alertname"] == "FloorboardServiceLevelBelowTarget" and a["state"] == "firing"
            ]  # fmt: skip
            if value is not None and abs(value - expected) < 1e-9 and firing:
                break
            await asyncio.sleep(1)
        assert value == pytest.approx(expected, abs=1e-9)
        assert firing, "the service-level alert did not fire"
        assert {a["labels"]["site"] for a in firing} == {"oslo"}
    finally:
        prom.terminate()
        prom.wait(timeout=20)
        worker.stop()
