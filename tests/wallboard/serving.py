"""A served wallboard for tests: ``floorboard wallboard --serve`` as a process of the test's own,
and browser sessions opened the way the page opens them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.helpers import free_port

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def children(self) -> list[int]:
        """The board processes the server runs now (one per connected screen)."""
        tasks = Path(f"/proc/{self.process.pid}/task")
        pids: list[int] = []
        for task in tasks.iterdir():
            with contextlib.suppress(OSError):
                pids += [int(p) for p in (task / "children").read_text().split()]
        return pids


@contextlib.contextmanager
def served(
    tmp: Path, *args: str, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[Served]:
    port = port or free_port()
    log = tmp / f"serve-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "floorboard.cli", "wallboard", "--serve", f"127.0.0.1:{port}",
             *args],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/ping", timeout=2) as response,
            ):
                if response.status == 204:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield Served(url, process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Screen:
    """One browser screen's session: the board's output as plain text, as it arrives."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.text = ""
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.text += ANSI.sub("", message.data.decode("utf-8", "replace"))

    async def wait_for(self, text: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text:
            if self.reader.done() or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not shown; last output: {self.text[-500:]!r}")
            await asyncio.sleep(0.1)

    @property
    def closed(self) -> bool:
        return self.socket.closed


async def open_screen(http: aiohttp.ClientSession, url: str, query: str = "") -> Screen:
    async with http.get(f"{url}/?{query}") as response:
        response.raise_for_status()
        page = await response.text()
    found = re.search(r'"ws/([A-Za-z0-9_-]+)"', page)
    assert found, "no session in the page"
    socket = await http.ws_connect(f"{url}/ws/{found.group(1)}?width=160&height=45")
    await socket.send_json(["resize", {"width": 160, "height": 45}])
    return Screen(socket)
