from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from floorboard.config import ConfigError, RuntimeSettings, parse_config, runtime_settings
from floorboard.streams.kafka import KafkaConnection
from tests.streams.connections import SASL_SSL


def test_plaintext_by_default() -> None:
    conn = KafkaConnection.from_settings(RuntimeSettings(broker="a:9092, b:9093"))
    assert conn.client_kwargs() == {
        "bootstrap_servers": ["a:9092", "b:9093"],
        "security_protocol": "PLAINTEXT",
    }


def test_sasl_over_tls_reaches_aiokafka() -> None:
    conn = KafkaConnection.from_settings(SASL_SSL)
    kwargs = conn.client_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == (
        "floorboard",
        "s3cret",
    )
    assert isinstance(kwargs["ssl_context"], ssl.SSLContext)
    assert "s3cret" not in repr(SASL_SSL)


def test_tls_only_has_no_sasl() -> None:
    conn = KafkaConnection("k:9093", security_protocol="SSL")
    assert "sasl_mechanism" not in conn.client_kwargs()


def test_a_missing_ca_file_fails_at_start_up() -> None:
    conn = KafkaConnection("k:9093", security_protocol="SSL", ssl_cafile=Path("/no/such/ca.pem"))
    with pytest.raises(FileNotFoundError):
        conn.ssl_context()


def test_the_config_connection_block_reaches_aiokafka_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = tmp_path / "password"
    password.write_text("s3cret\n")
    config = parse_config(
        {
            "sites": {"oslo": {"timezone": "Europe/Oslo"}},
            "connection": {
                "broker": "k1:9096,k2:9096",
                "security_protocol": "SASL_SSL",
                "sasl_mechanism": "SCRAM-SHA-256",
                "sasl_username": "producer",
                "sasl_password_file": str(password),
            },
        }
    )
    for name in ("BROKER", "SECURITY_PROTOCOL", "SASL_MECHANISM", "SASL_USERNAME"):
        monkeypatch.delenv(f"FLOORBOARD_{name}", raising=False)
    monkeypatch.setenv("FLOORBOARD_SASL_USERNAME", "wallboard")
    kwargs = KafkaConnection.from_settings(runtime_settings(config)).client_kwargs()
    assert kwargs["bootstrap_servers"] == ["k1:9096", "k2:9096"]
    assert (kwargs["security_protocol"], kwargs["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-256")
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("wallboard", "s3cret")


def test_a_bad_environment_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLOORBOARD_SECURITY_PROTOCOL", "TLS")
    with pytest.raises(ConfigError, match=r"^environment: FLOORBOARD_SECURITY_PROTOCOL: "):
        runtime_settings()
