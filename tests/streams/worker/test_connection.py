from __future__ import annotations

import faust

from floorboard.config import RuntimeSettings
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.worker.connection import faust_broker, faust_credentials
from tests.streams.connections import SASL_SSL


def test_plaintext_is_a_broker_url_without_credentials() -> None:
    conn = KafkaConnection.from_settings(RuntimeSettings(broker="a:9092, b:9093"))
    assert faust_broker(conn) == "kafka://a:9092;b:9093"
    assert faust_credentials(conn) is None


def test_sasl_over_tls_reaches_faust() -> None:
    creds = faust_credentials(KafkaConnection.from_settings(SASL_SSL))
    assert isinstance(creds, faust.SASLCredentials)
    assert creds.protocol.value == "SASL_SSL" and creds.mechanism.value == "SCRAM-SHA-512"
    assert (creds.username, creds.password) == ("floorboard", "s3cret")
    assert creds.ssl_context is not None


def test_sasl_plain_without_tls_reaches_faust() -> None:
    conn = KafkaConnection.from_settings(
        SASL_SSL.model_copy(
            update={"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN"}
        )
    )
    creds = faust_credentials(conn)
    assert isinstance(creds, faust.SASLCredentials)
    assert (creds.protocol.value, creds.mechanism.value) == ("SASL_PLAINTEXT", "PLAIN")
    assert (creds.username, creds.password, creds.ssl_context) == ("floorboard", "s3cret", None)


def test_tls_only_gives_faust_ssl_credentials() -> None:
    conn = KafkaConnection("k:9093", security_protocol="SSL")
    assert isinstance(faust_credentials(conn), faust.SSLCredentials)
