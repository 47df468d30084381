"""Secrets stay secret: no repr, log line or exception shows the SASL password."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from floorboard.config import ConfigError, RuntimeSettings
from floorboard.streams.broker import free_port
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.worker.connection import faust_credentials

SECRET = "pw-7f3a9c-never-shown"


def _settings(monkeypatch: pytest.MonkeyPatch) -> RuntimeSettings:
    monkeypatch.setenv("FLOORBOARD_BROKER", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("FLOORBOARD_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("FLOORBOARD_SASL_USERNAME", "floorboard")
    monkeypatch.setenv("FLOORBOARD_SASL_PASSWORD", SECRET)
    return RuntimeSettings()


async def test_the_password_is_in_no_repr_log_or_exception(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = _settings(monkeypatch)
    conn = KafkaConnection.from_settings(settings)
    assert conn.client_kwargs()["sasl_plain_password"] == SECRET  # it does reach the client
    logging.getLogger("floorboard.test").info("settings %r connection %r %s", settings, conn, conn)
    producer = AIOKafkaProducer(**conn.client_kwargs(), request_timeout_ms=2000)
    with pytest.raises(Exception) as failed:  # nothing listens on that port
        await producer.start()
    await producer.stop()
    shown = [
        repr(settings),
        str(settings),
        repr(conn),
        str(settings.model_dump()),
        repr(faust_credentials(conn)),
        str(failed.value),
        repr(failed.value),
        caplog.text,
    ]
    assert "floorboard.test" in caplog.text and "sasl_password" in repr(conn)
    for text in shown:
        assert SECRET not in text


def test_the_password_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(SECRET + "\n")
    settings = RuntimeSettings(security_protocol="SASL_SSL", sasl_password_file=secret)
    conn = KafkaConnection.from_settings(settings)
    assert conn.plain_password == SECRET and SECRET not in repr(conn)


def test_an_unreadable_password_file_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    settings = RuntimeSettings(sasl_password_file=tmp_path / "missing")
    with pytest.raises(ConfigError, match=r"^FLOORBOARD_SASL_PASSWORD_FILE: cannot read .*missing"):
        KafkaConnection.from_settings(settings)
