"""The Kafka connection in Faust's terms: its broker URL and credentials objects."""

from __future__ import annotations

from typing import Any

import faust

from floorboard.streams.kafka import KafkaConnection


def faust_broker(conn: KafkaConnection) -> str:
    """Faust's broker URL: ``kafka://host:port;host:port``."""
    return "kafka://" + ";".join(conn.servers)


def faust_credentials(conn: KafkaConnection) -> Any:
    """Faust credentials object for TLS and/or SASL, or None for plaintext."""
    context = conn.ssl_context()
    if conn.uses_sasl:
        return faust.SASLCredentials(
            username=conn.sasl_username,
            password=conn.plain_password,
            ssl_context=context,
            mechanism=conn.sasl_mechanism,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None
