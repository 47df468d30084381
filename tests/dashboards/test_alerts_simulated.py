"""The alerts over whole simulated days, evaluated by promtool with their real `for:` durations.

The simulator's events go through the real engine and the real collectors; every minute of the
day is scraped, as Prometheus would scrape a worker, and becomes promtool's input series. A normal
day must page nobody; the lunch-time overload must page the duty manager for the service level it
loses, and for nothing else.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from floorboard.config import EXAMPLE_CONFIG, load_config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.metrics import KpiCollectors
from floorboard.simulator import generate
from tests.dashboards.promtool import ALERTS, RECORDING, promtool

CONFIG = load_config(EXAMPLE_CONFIG)
MINUTE = 60_000
# Monday 23 November 2026, 07:30 to 16:30 in Oslo: the site opens at 08:00 and closes at 16:00.
START = int(dt.datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Europe/Oslo")).timestamp() * 1000)
MINUTES = 9 * 60
# Timestamps become seconds since the start: promtool's clock starts at 0.
# Handle-time histograms feed no alert; wait buckets matter only at a threshold (the SL rules).
SKIPPED = ("floorboard_talk_hold_seconds", "floorboard_after_contact_work_seconds")
THRESHOLD_LES = {f"{float(t)}" for t in CONFIG.sl_thresholds_s}


def _keep(name: str, labels: dict[str, str]) -> bool:
    if name.startswith(SKIPPED):
        return False
    return not name.endswith("_bucket") or labels["le"] in THRESHOLD_LES


@cache
def day(scenario: str, seed: int = 7) -> list[dict[str, Any]]:
    """promtool input series: every kept sample of one engine, scraped once a minute.

    A series that disappears from a scrape is marked stale, as Prometheus does, so (say) the
    oldest waiting contact of an emptied queue is not carried forward for five minutes.
    """
    events = sorted(generate(CONFIG, scenario, START, MINUTES * MINUTE, seed), key=lambda e: e.ts)
    engine = Engine(CONFIG)
    series: dict[str, list[str]] = {}
    at = 0
    for minute in range(MINUTES):
        now = START + minute * MINUTE
        while at < len(events) and events[at].ts <= now:
            engine.apply(events[at])
            at += 1
        records = snapshot(engine, now, "floorboard.events/0")
        scrape = KpiCollectors(lambda r=records: r, CONFIG, clock=lambda t=now: t)  # type: ignore[misc]
        scraped = scrape.collect()
        samples = [(s.name, s.labels, s.value) for family in scraped for s in family.samples]
        samples += [
            ("floorboard_worker_last_event_timestamp_seconds", {"site": site}, wm / 1000)
            for site, wm in engine.watermarks.items()
        ]
        samples.append(("floorboard_worker_partitions", {}, 1.0))
        for name, labels, value in samples:
            if not _keep(name, labels):
                continue
            if name.endswith("_timestamp_seconds"):
                value -= START / 1000
            inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            column = series.setdefault(f"{name}{{{inner}}}", ["_"] * MINUTES)
            column[minute] = repr(float(value))
    for column in series.values():
        for minute in range(1, MINUTES):
            if column[minute] == "_" and column[minute - 1] not in ("_", "stale"):
                column[minute] = "stale"
    return [{"series": name, "values": " ".join(values)} for name, values in series.items()]


def paged(tmp_path: Path, scenario: str, expected: list[str]) -> str:
    """Run promtool over the day; the check passes when exactly ``expected`` alerts paged."""
    firing = 'ALERTS{alertstate="firing", severity="critical"}'
    tests = {
        "rule_files": [str(RECORDING), str(ALERTS)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": day(scenario),
                "promql_expr_test": [
                    {
                        "expr": f"group by (alertname) (max_over_time({firing}[{MINUTES}m]))",
                        "eval_time": f"{MINUTES - 1}m",
                        "exp_samples": [
                            {"labels": f'{{alertname="{name}"}}', "value": 1} for name in expected
                        ],
                    }
                ],
            }
        ],
    }
    path = tmp_path / f"{scenario}.test.yml"
    path.write_text(yaml.safe_dump(tests, sort_keys=False))
    return promtool("test", "rules", str(path))


def test_a_normal_day_pages_nobody(tmp_path: Path) -> None:
    assert "SUCCESS" in paged(tmp_path, "normal", [])


def test_the_lunch_peak_pages_for_the_lost_service_level(tmp_path: Path) -> None:
    # The hour at a few per cent in time pages, and with the normal day's front-loaded shifts
    # the lunch crowd keeps someone waiting past 180 s for minutes on end: that pages too.
    expected = ["FloorboardLongestWaitAboveThreshold", "FloorboardServiceLevelBudgetBurn"]
    assert "SUCCESS" in paged(tmp_path, "lunch_peak", expected)
