"""The optional bearer token of the worker's /kpi and /metrics (docs/security.md).

Set ``FLOORBOARD_WORKER_WEB_TOKEN_FILE`` (or ``FLOORBOARD_WORKER_WEB_TOKEN``) before binding the
web server beyond loopback; Prometheus then scrapes with ``authorization`` (deploy/prometheus.yml).
Health endpoints stay open: probes carry no credentials and reveal no figures.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr

from floorboard.config import read_secret
from floorboard.streams.worker.settings import WorkerSettings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def bearer_token(worker: WorkerSettings) -> SecretStr | None:
    """The configured token, from the variable or the file; raises ConfigError if unreadable."""
    if worker.web_token is not None:
        return worker.web_token
    if worker.web_token_file is not None:
        return read_secret(worker.web_token_file, "FLOORBOARD_WORKER_WEB_TOKEN_FILE")
    return None


def authorized(header: str | None, token: SecretStr | None) -> bool:
    """Whether an ``Authorization`` header carries the token (always, when there is none)."""
    if token is None:
        return True
    scheme, _, credentials = (header or "").partition(" ")
    expected = token.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(
        credentials.strip().encode(), expected
    )


def exposed_without_token(worker: WorkerSettings, token: SecretStr | None) -> bool:
    return token is None and worker.web_host not in LOOPBACK_HOSTS
