"""Debian's headless Chromium driven over the DevTools protocol: load a page, wait in real time,
read values from it and take a screenshot. (``--screenshot`` alone cannot wait for a websocket
app to draw: it captures as soon as the page has loaded.)"""

from __future__ import annotations

import base64
import contextlib
import itertools
import re
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

import aiohttp


class Page:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self._ids)
        await self.socket.send_json({"id": ident, "method": method, "params": params})
        async for message in self.socket:
            reply: dict[str, Any] = message.json()
            if reply.get("id") == ident:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
        raise RuntimeError("the browser closed the DevTools connection")

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def screenshot(self, path: Path) -> None:
        data = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(data["data"]))


@contextlib.asynccontextmanager
async def chromium(binary: str, profile: Path, width: int, height: int) -> AsyncIterator[Page]:
    """One headless page of ``width`` × ``height`` CSS pixels; the browser is stopped afterwards."""
    profile.mkdir(parents=True, exist_ok=True)
    log = profile / "chromium.log"
    with log.open("wb") as out:
        process = _start(binary, profile, out)
    try:
        endpoint = _endpoint(process, log)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://{endpoint}/json/list") as response:
                targets = await response.json()
            url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            async with session.ws_connect(url, max_msg_size=0) as socket:
                page = Page(socket)
                await page.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=width, height=height, deviceScaleFactor=1, mobile=False,
                )  # fmt: skip
                yield page
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start(binary: str, profile: Path, out: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            binary, "--headless", "--no-sandbox", "--hide-scrollbars", "--mute-audio",
            # The board draws with WebGL; headless Chromium has only the software rasteriser.
            "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
            "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank",
        ],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out,
    )  # fmt: skip


def _endpoint(process: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := re.search(
            r"DevTools listening on ws://([^/]+)/", log.read_text("utf-8", "replace")
        ):
            return found.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"chromium did not start its DevTools endpoint; see {log}")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
