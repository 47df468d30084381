"""Bad configuration stops start-up with a message that names the field path; good configuration
resolves per queue × channel as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from floorboard.config import (
    DEFAULT_TARGETS,
    EXAMPLE_CONFIG,
    ConfigError,
    ResponseSla,
    SlVariant,
    load_config,
    parse_config,
)

REPO = Path(__file__).resolve().parents[2]
SITE = {"oslo": {"timezone": "Europe/Oslo"}}


def test_example_config_loads_with_common_practice_defaults() -> None:
    cfg = load_config(EXAMPLE_CONFIG)
    voice = cfg.channel_settings("oslo", "billing", "voice")
    assert (voice.sl_threshold_s, voice.sl_variant) == (20, SlVariant.ANSWERED_OF_OFFERED)
    assert cfg.channel_settings("oslo", "billing", "chat").sl_threshold_s == 30
    email = cfg.channel_settings("oslo", "billing", "email").response_sla
    assert email is not None and (email.kind, email.seconds) == ("elapsed_seconds", 86400)
    support = cfg.channel_settings("oslo", "support", "voice")
    assert (support.sl_threshold_s, support.sl_variant) == (
        60, SlVariant.ANSWERED_OF_ANSWERED_LONG_ABANDONED,
    )  # fmt: skip
    assert (cfg.target("nps").warn, cfg.target("fcr_rate").warn) == (30, 0.80)  # type: ignore[union-attr]
    assert cfg.target("abandon_rate").warn == 0.05  # type: ignore[union-attr]
    assert cfg.target("service_level", "oslo", "sales").warn == 0.90  # type: ignore[union-attr]
    # the histogram has an exact bound at every SL threshold and the short-abandon threshold
    assert {5000, 20000, 30000, 60000, 3600000} <= set(cfg.wait_bounds_ms)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # timezones
        ({"sites": {"oslo": {"timezone": "Europe/Olso"}}},
         "sites.oslo.timezone: unknown IANA timezone 'Europe/Olso'"),
        ({"sites": {"oslo": {"timezone": "Europe"}}},  # a tz database directory, not a zone
         "sites.oslo.timezone: unknown IANA timezone 'Europe'"),
        ({"sites": {"oslo": {"timezone": ""}}}, "sites.oslo.timezone: unknown IANA timezone ''"),
        ({"sites": {"oslo": {"timezone": "../etc/passwd"}}},
         "sites.oslo.timezone: unknown IANA timezone '../etc/passwd'"),
        ({"sites": {"oslo": {}}}, "sites.oslo.timezone: Field required"),
        # sites
        ({}, "sites: Field required"),
        ({"sites": {}}, "sites: Dictionary should have at least 1 item"),
        ({"sites": None}, "sites: Input should be a valid dictionary"),
        # target ordering, global and per queue
        ({"sites": SITE, "targets": {"nps": {"good": "higher", "warn": 30, "alert": 40}}},
         "targets.nps: alert: must be ≤ warn when higher is good"),
        ({"sites": SITE, "targets": {"abandon_rate": {"good": "lower", "warn": 0.08, "alert": 0.05}}},
         "targets.abandon_rate: alert: must be ≥ warn when lower is good"),
        ({"sites": {"oslo": {"timezone": "UTC", "queues": {"q": {"targets": {
            "service_level": {"good": "higher", "warn": 0.7, "alert": 0.8}}}}}}},
         "sites.oslo.queues.q.targets.service_level: alert: must be ≤ warn when higher is good"),
        # overrides only for channels the queue serves
        ({"sites": {"oslo": {"timezone": "UTC", "queues": {"q": {"channels": ["voice"],
                                                                  "overrides": {"chat": {}}}}}}},
         "sites.oslo.queues.q: overrides.chat: queue does not serve channel chat"),
        # negative and out-of-range values
        ({"sites": SITE, "engine": {"short_abandon_s": -1}},
         "engine.short_abandon_s: Input should be greater than or equal to 0"),
        ({"sites": SITE, "engine": {"allowed_lateness_s": -1}},
         "engine.allowed_lateness_s: Input should be greater than or equal to 0"),
        ({"sites": SITE, "engine": {"contact_ttl_s": -5}},
         "engine.contact_ttl_s: Input should be greater than 0"),
        ({"sites": SITE, "engine": {"min_responses": 0}},
         "engine.min_responses: Input should be greater than or equal to 1"),
        ({"sites": SITE, "engine": {"spread_min_agents": 2}},
         "engine.spread_min_agents: Input should be greater than or equal to 3"),
        ({"sites": SITE, "channels": {"voice": {"sl_threshold_s": -20}}},
         "channels.voice.sl_threshold_s: Input should be greater than 0"),
        ({"sites": {"oslo": {"timezone": "UTC", "queues": {"q": {"overrides": {
            "voice": {"sl_threshold_s": -3}}}}}}},
         "sites.oslo.queues.q.overrides.voice.sl_threshold_s: Input should be greater than 0"),
        ({"sites": SITE, "channels": {"email": {"response_sla": {"kind": "elapsed_seconds", "seconds": -1}}}},
         "channels.email.response_sla.seconds: Input should be greater than 0"),
        ({"sites": SITE, "engine": {"wait_buckets_s": [-5, 10]}},
         "engine.wait_buckets_s.0: Input should be greater than 0"),
        ({"sites": SITE, "engine": {"wait_buckets_s": [5, 5, 10]}},
         "engine.wait_buckets_s: bucket bounds must be strictly increasing"),
        # dedup must cover the lateness
        ({"sites": SITE, "engine": {"dedup_ttl_s": 60, "allowed_lateness_s": 600}},
         "engine: dedup_ttl_s: must be at least allowed_lateness_s"),
        # response SLAs, variants, hours, unknown keys
        ({"sites": SITE, "channels": {"email": {"response_sla": {"kind": "business_seconds"}}}},
         "channels.email.response_sla: seconds: required with kind business_seconds"),
        ({"sites": SITE, "channels": {"email": {"response_sla": {"kind": "same_business_day", "seconds": 5}}}},
         "channels.email.response_sla: seconds: not used with kind same_business_day"),
        ({"sites": SITE, "channels": {"voice": {"sl_variant": "answered_fast"}}},
         "channels.voice.sl_variant: Input should be"),
        ({"sites": {"oslo": {"timezone": "UTC", "business_hours": {"days": {"mon": ["16:00", "08:00"]}}}}},
         "sites.oslo.business_hours.days: mon: closing time must be after opening time"),
        ({"sites": {"oslo": {"timezone": "UTC", "business_hours": {"days": {"mon": ["8am", "16:00"]}}}}},
         "sites.oslo.business_hours.days.mon.0: Input should be in a valid time format"),
        ({"sites": {"oslo": {"timezone": "UTC", "business_hours": {"holidays": ["2026-02-30"]}}}},
         "sites.oslo.business_hours.holidays.0: Input should be a valid date"),
        ({"sites": {"oslo": {"timezone": "UTC", "business_hours": {"public_holidays": {"country": "XX"}}}}},
         "sites.oslo.business_hours.public_holidays: country: unknown country code 'XX'"),
        ({"sites": {"oslo": {"timezone": "UTC", "business_hours": {"public_holidays": {"country": "DE", "subdivision": "ZZ"}}}}},
         "sites.oslo.business_hours.public_holidays: subdivision: 'ZZ' is not one of BB, BE"),
        ({"sites": SITE, "surprise": 1}, "surprise: Extra inputs are not permitted"),
        ({"sites": SITE, "engine": {"allowed_latenes_s": 60}},
         "engine.allowed_latenes_s: Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_errors_name_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(data, "floorboard.yaml")
    assert str(err.value).startswith("floorboard.yaml: ")
    assert message in str(err.value)


def test_every_error_is_reported_at_once() -> None:
    data = {"sites": {"oslo": {"timezone": "Europe/Olso"}, "bergen": {"timezone": "Mars/Base"}},
            "engine": {"min_responses": 0}}  # fmt: skip
    with pytest.raises(ConfigError) as err:
        parse_config(data, "f.yaml")
    assert str(err.value).split("; ") == [
        "f.yaml: sites.oslo.timezone: unknown IANA timezone 'Europe/Olso'",
        "sites.bergen.timezone: unknown IANA timezone 'Mars/Base'",
        "engine.min_responses: Input should be greater than or equal to 1",
    ]


def test_bad_yaml_and_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match=r"missing.yaml: cannot read config file"):
        load_config(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match=r"cannot read config file: Is a directory"):
        load_config(tmp_path)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("sites:\n  oslo:\n    name: Tromsø\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1.yaml: cannot read config file: not UTF-8"):
        load_config(latin1)


@pytest.mark.parametrize("text", ["- 1\n", "just a string\n", ""])
def test_the_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "top.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"top\.yaml: the top level must be a mapping"):
        load_config(path)


def test_errors_in_a_file_name_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("sites:\n  oslo:\n    timezone: Europe/Oslo\nengine:\n  dedup_ttl_s: -1\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}: engine.dedup_ttl_s: Input should be greater than 0"


# --- resolution ---

QUEUES: dict[str, Any] = {
    "sites": {"oslo": {"timezone": "Europe/Oslo", "queues": {
        "support": {"channels": ["voice", "email"], "overrides": {
            "voice": {"sl_threshold_s": 45},
            "email": {"response_sla": {"kind": "business_seconds", "seconds": 7200}},
        }, "targets": {"asa_s": {"good": "lower", "warn": 10, "alert": 20}}},
    }}},
    "channels": {"voice": {"sl_threshold_s": 15, "sl_variant": "answered_of_answered"}},
    "targets": {"asa_s": {"good": "lower", "warn": 30, "alert": 60}},
}  # fmt: skip


def test_queue_overrides_win_field_by_field() -> None:
    cfg = parse_config(QUEUES)
    voice = cfg.channel_settings("oslo", "support", "voice")
    # the threshold is overridden, the variant still comes from the channel default
    assert (voice.sl_threshold_s, voice.sl_variant) == (45, SlVariant.ANSWERED_OF_ANSWERED)
    assert cfg.channel_settings("oslo", "other", "voice").sl_threshold_s == 15
    # channels left out of the file keep their defaults
    assert cfg.channel_settings("oslo", "other", "chat").sl_threshold_s == 30


def test_a_response_sla_override_is_a_response_sla() -> None:
    sla = parse_config(QUEUES).channel_settings("oslo", "support", "email").response_sla
    assert isinstance(sla, ResponseSla)  # the engine reads .kind and .seconds from it
    assert (sla.kind, sla.seconds) == ("business_seconds", 7200)


def test_targets_resolve_queue_then_file_then_defaults() -> None:
    cfg = parse_config(QUEUES)
    assert cfg.target("asa_s", "oslo", "support").warn == 10  # type: ignore[union-attr]
    assert cfg.target("asa_s", "oslo", "other").warn == 30  # type: ignore[union-attr]
    assert cfg.target("asa_s").warn == 30  # type: ignore[union-attr]
    assert cfg.target("csat_mean") == DEFAULT_TARGETS["csat_mean"]
    assert cfg.target("no_such_kpi") is None


def test_wait_bounds_include_every_threshold() -> None:
    bounds = parse_config(QUEUES).wait_bounds_ms
    assert {15000, 45000, 5000} <= set(bounds)  # channel T, queue override T, short abandon


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
