"""Test helpers shared across packages."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str, package: str) -> str:
    """Path of a system tool; skip locally with the reason when it is missing, fail under CI."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} not installed (Debian package {package}; `make test` installs it under CI=true)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true requires {name}: {reason}")
        pytest.skip(reason)
    return path


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
