"""Connection settings shared by the aiokafka and Faust connection tests."""

from __future__ import annotations

from pydantic import SecretStr

from floorboard.config import RuntimeSettings

SASL_SSL = RuntimeSettings(
    broker="k:9096",
    security_protocol="SASL_SSL",
    sasl_mechanism="SCRAM-SHA-512",
    sasl_username="floorboard",
    sasl_password=SecretStr("s3cret"),
)
