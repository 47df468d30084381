"""Test helpers shared across packages."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def skip_or_fail_in_ci(needed: str, reason: str) -> NoReturn:
    """Skip locally with the reason; under CI=true fail instead: CI must run every test."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true requires {needed}, but {reason}")
    pytest.skip(reason)


def require_tool(name: str, package: str) -> str:
    """Path of a system tool; skip locally with the reason when it is missing, fail under CI."""
    path = shutil.which(name)
    if path is None:
        skip_or_fail_in_ci(
            name,
            f"{name} is not installed (Debian package {package}; `make test` installs it under CI=true)",
        )
    return path


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
