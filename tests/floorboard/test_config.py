"""Bad configuration stops start-up with a message that names the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from floorboard.config import ConfigError, SlVariant, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]
SITE = {"oslo": {"timezone": "Europe/Oslo"}}


def test_example_config_loads_with_common_practice_defaults() -> None:
    cfg = load_config(REPO / "deploy" / "floorboard.example.yaml")
    voice = cfg.channel_settings("oslo", "billing", "voice")
    assert (voice.sl_threshold_s, voice.sl_variant) == (20, SlVariant.ANSWERED_OF_OFFERED)
    assert cfg.channel_settings("oslo", "billing", "chat").sl_threshold_s == 30
    email = cfg.channel_settings("oslo", "billing", "email").response_sla
    assert email is not None and (email.kind, email.seconds) == ("elapsed_seconds", 86400)
    assert cfg.channel_settings("oslo", "support", "voice").sl_threshold_s == 60
    assert (cfg.target("nps").warn, cfg.target("fcr_rate").warn) == (30, 0.80)  # type: ignore[union-attr]
    assert cfg.target("abandon_rate").warn == 0.05  # type: ignore[union-attr]
    assert cfg.target("service_level", "oslo", "sales").warn == 0.90  # type: ignore[union-attr]
    # the histogram has an exact bound at every SL threshold and the short-abandon threshold
    assert {5000, 20000, 30000, 60000, 3600000} <= set(cfg.wait_bounds_ms)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sites": {"oslo": {"timezone": "Europe/Olso"}}},
         "sites.oslo.timezone: unknown IANA timezone 'Europe/Olso'"),
        ({"sites": {}}, "sites: Dictionary should have at least 1 item"),
        ({}, "sites: Field required"),
        ({"sites": SITE, "targets": {"nps": {"good": "higher", "warn": 30, "alert": 40}}},
         "targets.nps: alert: must be ≤ warn when higher is good"),
        ({"sites": {"oslo": {"timezone": "UTC", "queues": {"q": {"channels": ["voice"],
                                                                  "overrides": {"chat": {}}}}}}},
         "sites.oslo.queues.q: overrides.chat: queue does not serve channel chat"),
        ({"sites": SITE, "engine": {"short_abandon_s": -1}},
         "engine.short_abandon_s: Input should be greater than or equal to 0"),
        ({"sites": SITE, "engine": {"dedup_ttl_s": 60, "allowed_lateness_s": 600}},
         "engine: dedup_ttl_s: must be at least allowed_lateness_s"),
        ({"sites": SITE, "channels": {"email": {"response_sla": {"kind": "business_seconds"}}}},
         "channels.email.response_sla: seconds: required with kind business_seconds"),
        ({"sites": SITE, "channels": {"voice": {"sl_variant": "answered_fast"}}},
         "channels.voice.sl_variant: Input should be"),
        ({"sites": SITE, "surprise": 1}, "surprise: Extra inputs are not permitted"),
        ({"sites": {"oslo": {"timezone": "UTC", "business_hours": {"days": {"mon": ["16:00", "08:00"]}}}}},
         "sites.oslo.business_hours.days: mon: closing time must be after opening time"),
    ],
)  # fmt: skip
def test_errors_name_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(data, "floorboard.yaml")
    assert str(err.value).startswith("floorboard.yaml: ")
    assert message in str(err.value)


def test_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match=r"missing.yaml: cannot read config file"):
        load_config(tmp_path / "missing.yaml")
    top = tmp_path / "list.yaml"
    top.write_text("- 1\n")
    with pytest.raises(ConfigError, match="the top level must be a mapping"):
        load_config(top)


def test_cli_stops_with_the_field_in_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from floorboard.cli import main

    cfg = tmp_path / "c.yaml"
    cfg.write_text("sites:\n  oslo:\n    timezone: Mars/Olympus\n")
    events = tmp_path / "e.jsonl"
    events.write_text("")
    assert main(["report", str(events), "--config", str(cfg)]) == 2
    assert "sites.oslo.timezone: unknown IANA timezone 'Mars/Olympus'" in capsys.readouterr().err
