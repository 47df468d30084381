"""How every Floorboard process connects to Kafka: bootstrap servers, TLS and SASL.

One place turns :class:`floorboard.config.RuntimeSettings` into keyword arguments for aiokafka
clients and into Faust's broker URL and credentials, so producers, workers and readers always
agree. docs/running.md lists the matching ``FLOORBOARD_*`` variables.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from floorboard.config import RuntimeSettings, read_secret


@dataclass(frozen=True, slots=True)
class KafkaConnection:
    bootstrap: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "PLAIN"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None  # masked in reprs, logs and tracebacks
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    @classmethod
    def from_settings(cls, settings: RuntimeSettings) -> KafkaConnection:
        password = settings.sasl_password
        if password is None and settings.sasl_password_file is not None:
            password = read_secret(settings.sasl_password_file, "FLOORBOARD_SASL_PASSWORD_FILE")
        return cls(
            bootstrap=settings.broker,
            security_protocol=settings.security_protocol,
            sasl_mechanism=settings.sasl_mechanism,
            sasl_username=settings.sasl_username,
            sasl_password=password,
            ssl_cafile=settings.ssl_cafile,
            ssl_certfile=settings.ssl_certfile,
            ssl_keyfile=settings.ssl_keyfile,
        )

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")

    @property
    def plain_password(self) -> str | None:
        """The SASL password in clear, only for handing to the Kafka client."""
        return self.sasl_password.get_secret_value() if self.sasl_password else None

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(
            cafile=str(self.ssl_cafile) if self.ssl_cafile else None
        )
        if self.ssl_certfile is not None:
            context.load_cert_chain(
                str(self.ssl_certfile), str(self.ssl_keyfile) if self.ssl_keyfile else None
            )
        return context

    def client_kwargs(self) -> dict[str, Any]:
        """Connection keyword arguments for any aiokafka client (producer, consumer, admin)."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": self.servers,
            "security_protocol": self.security_protocol,
        }
        if self.uses_tls:
            kwargs["ssl_context"] = self.ssl_context()
        if self.uses_sasl:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            kwargs["sasl_plain_username"] = self.sasl_username
            kwargs["sasl_plain_password"] = self.plain_password
        return kwargs
