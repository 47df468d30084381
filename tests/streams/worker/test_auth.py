"""The bearer token on /kpi and /metrics: unit checks, then a real worker."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pydantic import SecretStr

from floorboard.config import ConfigError
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.worker.auth import authorized, bearer_token, exposed_without_token
from floorboard.streams.worker.settings import WorkerSettings
from tests.streams.worker.harness import Pipeline

TOKEN = SecretStr("tok-5b1e")


@pytest.mark.parametrize(
    ("header", "ok"),
    [("Bearer tok-5b1e", True), ("bearer tok-5b1e", True), ("Bearer tok-5b1", False),
     ("Basic tok-5b1e", False), ("tok-5b1e", False), (None, False), ("", False)],
)  # fmt: skip
def test_only_the_token_passes(header: str | None, ok: bool) -> None:
    assert authorized(header, TOKEN) is ok
    assert authorized(header, None)  # no token configured: open, as on loopback


def test_the_token_comes_from_the_variable_or_the_file(tmp_path: Path) -> None:
    assert bearer_token(WorkerSettings(web_token=TOKEN)) == TOKEN
    path = tmp_path / "token"
    path.write_text("tok-5b1e\n")
    token = bearer_token(WorkerSettings(web_token_file=path))
    assert token is not None and token.get_secret_value() == "tok-5b1e"
    with pytest.raises(ConfigError, match=r"^FLOORBOARD_WORKER_WEB_TOKEN_FILE: cannot read"):
        bearer_token(WorkerSettings(web_token_file=tmp_path / "missing"))
    assert exposed_without_token(WorkerSettings(web_host="0.0.0.0"), None)
    assert not exposed_without_token(WorkerSettings(web_host="0.0.0.0"), TOKEN)
    assert not exposed_without_token(WorkerSettings(), None)


def _status(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.broker
@pytest.mark.timeout(120)
async def test_a_worker_with_a_token_refuses_kpi_and_metrics_without_it(
    broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "token"
    path.write_text("tok-5b1e\n")
    monkeypatch.setenv("FLOORBOARD_WORKER_WEB_TOKEN_FILE", str(path))
    pipeline = Pipeline(broker, tmp_path, partitions=1)
    await pipeline.create_topics()
    worker = pipeline.worker("auth").start()
    try:
        await worker.wait_assigned()  # /healthz answers without a token
        base = f"http://127.0.0.1:{worker.port}"
        for endpoint in ("/metrics", "/kpi"):
            assert _status(base + endpoint) == 401
            assert _status(base + endpoint, "wrong") == 401
            assert _status(base + endpoint, "tok-5b1e") == 200
        assert "tok-5b1e" not in worker.tail(500)
    finally:
        worker.stop()
