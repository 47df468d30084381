from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from floorboard.config import RuntimeSettings
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
