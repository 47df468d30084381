"""The recording rules, evaluated by promtool on the collectors' real exposition, give the figures
the engine computes for the same events: every SL variant, abandonment, ASA, AHT, the customer
figures and their 95 % intervals, per queue and per site, today and over 15 minutes and 1 hour;
occupancy, resolve time and the team service level per team, queue and site.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from floorboard.dashboards.prometheus.recording import name
from floorboard.engine.engine import Engine
from tests.dashboards.engine_case import (
    CONFIG,
    Case,
    Sample,
    queue_figures,
    run,
    site_figures,
    team_figures,
)
from tests.dashboards.promtool import RECORDING, promtool

QUEUE = ("site", "queue", "channel")
SITE = ("site",)
TEAM = ("site", "team")
TOLERANCE = 1e-9
# rule (without its window suffix) -> (engine figure, what the figure reads, labels)
RATIOS = {
    "service_level": ("service_level", "value", QUEUE),
    "abandon_rate": ("abandon_rate", "value", QUEUE),
    "asa_seconds": ("asa_s", "value", QUEUE),
    "aht_seconds": ("aht_s", "value", QUEUE),
    "site_service_level": ("service_level", "value", SITE),
    "site_abandon_rate": ("abandon_rate", "value", SITE),
}
QUALITY = {
    "csat_mean": ("csat_mean", "value", SITE),
    "csat_top2_rate": ("csat_top2", "value", SITE),
    "nps": ("nps", "value", SITE),
    "fcr_rate": ("fcr_rate", "value", SITE),
    "qa_score": ("qa_score", "value", SITE),
}
TODAY_ONLY = {
    "csat_responses": ("csat_mean", "n", SITE),
    "nps_responses": ("nps", "n", SITE),
    "fcr_responses": ("fcr_rate", "n", SITE),
    "qa_evaluations": ("qa_score", "n", SITE),
    "csat_top2_rate_low95": ("csat_top2", "low", SITE),
    "csat_top2_rate_high95": ("csat_top2", "high", SITE),
    "fcr_rate_low95": ("fcr_rate", "low", SITE),
    "fcr_rate_high95": ("fcr_rate", "high", SITE),
    "nps_low95": ("nps", "low", SITE),
    "nps_high95": ("nps", "high", SITE),
}
# level:metric rules; the operation and window complete the name (rule_name)
LEVELLED = {
    "site_team:floorboard_service_level": ("service_level", "value", TEAM),
    "site_team:floorboard_occupancy": ("occupancy", "value", TEAM),
    "site:floorboard_occupancy": ("occupancy", "value", SITE),
    "site_queue_channel:floorboard_resolve_seconds": ("resolve_time_s", "value", QUEUE),
    "site:floorboard_resolve_seconds": ("resolve_time_s", "value", SITE),
}
SUFFIX = {  # window -> suffix of ratios, means and the NPS score
    "15m": {"ratio": "ratio15m", "mean": "mean15m", "score": "ratio15m"},
    "1h": {"ratio": "ratio1h", "mean": "mean1h", "score": "score1h"},
    "today": {"ratio": "today", "mean": "today", "score": "today"},
}


def rule_name(base: str, window: str) -> str:
    kind = "mean" if base.endswith("_seconds") or base == "csat_mean" else "ratio"
    if base in LEVELLED:
        return f"{base}:{SUFFIX[window][kind]}"
    kind = "score" if base == "nps" else kind
    if base in TODAY_ONLY and not base.endswith("95"):
        return name(base, "today")
    return name(base, SUFFIX[window][kind])


def series(name: str, labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def expected(case: Case) -> dict[str, dict[tuple[str, ...], float]]:
    """Engine figure per rule base and label values (None figures have no series)."""
    tables: dict[tuple[str, ...], dict[Any, dict[str, Any]]] = {
        QUEUE: queue_figures(case.views),
        SITE: {(site,): site_figures(case.views, site) for site in case.views.sites},
        TEAM: team_figures(case.views),
    }
    out: dict[str, dict[tuple[str, ...], float]] = {}
    for base, (figure, part, labels) in {**RATIOS, **QUALITY, **TODAY_ONLY, **LEVELLED}.items():
        values = {key: getattr(figs[figure], part) for key, figs in tables[labels].items()}
        out[base] = {key: float(v) for key, v in values.items() if v is not None}
    return out


def checks(rule: str, labels: tuple[str, ...], want: dict[tuple[str, ...], float]) -> list[Any]:
    """promtool cases: every expected series within tolerance, and no other series."""
    if not want:
        return [{"expr": f"count({rule})", "eval_time": "70m", "exp_samples": []}]
    close = (
        f"count(abs({rule} - on ({', '.join(labels)}) "
        f'floorboard_expected{{rule="{rule}"}}) < {TOLERANCE})'
    )
    return [
        {"expr": e, "eval_time": "70m", "exp_samples": [{"labels": "{}", "value": len(want)}]}
        for e in (close, f"count({rule})")
    ]


def promtool_case(case: Case, ramp: bool, bases: dict[str, Any], window: str) -> dict[str, Any]:
    """Constant series read as today's values; ramps rise 1/60 of the value a minute, so over
    any window every counter grows by the same fraction and each ratio stays the engine's."""

    def values(sample: Sample) -> str:
        if ramp and sample.kind in ("counter", "histogram"):
            return f"0+{sample.value / 60!r}x80"
        return f"{sample.value!r}x80"

    inputs = [{"series": series(s.name, s.labels), "values": values(s)} for s in case.samples]
    want = expected(case)
    tests: list[Any] = []
    for base, (_, _, labels) in bases.items():
        rule = rule_name(base, window)
        for key, value in want[base].items():
            inputs.append({
                "series": series("floorboard_expected", {"rule": rule, **dict(zip(labels, key, strict=True))}),
                "values": f"{value!r}x80",
            })  # fmt: skip
        tests += checks(rule, labels, want[base])
    return {"interval": "1m", "input_series": inputs, "promql_expr_test": tests}


@pytest.mark.parametrize(
    ("window", "ramp", "bases"),
    [
        ("today", False, {**RATIOS, **QUALITY, **TODAY_ONLY, **LEVELLED}),
        ("15m", True, {**RATIOS, **LEVELLED}),
        ("1h", True, {**RATIOS, **QUALITY, **LEVELLED}),
    ],
)
def test_recording_rules_equal_the_engine(
    tmp_path: Path, window: str, ramp: bool, bases: dict[str, Any]
) -> None:
    case = run()
    tests = {
        "rule_files": [str(RECORDING)],
        "evaluation_interval": "1m",
        "tests": [promtool_case(case, ramp, bases, window)],
    }
    path = tmp_path / "engine.test.yml"
    path.write_text(yaml.safe_dump(tests, sort_keys=False))
    assert "SUCCESS" in promtool("test", "rules", str(path))


def test_the_case_exercises_every_variant_and_the_fallback() -> None:
    # Guards the test above against a case that would let a wrong rule pass.
    case = run()
    variants = {
        s.labels["variant"] for s in case.samples if s.name == "floorboard_sl_threshold_seconds"
    }
    assert len(variants) == 5
    ix = Engine(CONFIG).layout.index
    for key, view in case.views.queues.items():
        if key[1]:  # every term of every variant matters in every queue
            today = view.windows["today"]
            assert today[ix["short_abandoned"]] > 0, key
            assert 0 < today[ix["abandoned_within_sl"]] < today[ix["abandoned"]] + 1, key
            assert 0 < today[ix["answered_within_sl"]] < today[ix["answered"]], key
            assert today[ix["answered"]] + today[ix["abandoned"]] < today[ix["offered"]], key
    sl = expected(case)["service_level"]
    assert ("oslo", "returns", "voice") in sl  # no threshold gauge: the counter stands in
    assert len(set(sl.values())) == len(sl) >= 6  # distinct values: no rule can match by luck
    assert expected(case)["nps_low95"] and expected(case)["aht_seconds"]
    # the team rules are exercised: two teams, each with its own figures
    for base in LEVELLED:
        assert expected(case)[base], base
    team_sl = expected(case)["site_team:floorboard_service_level"]
    assert len(team_sl) == 2 and len(set(team_sl.values())) == 2
