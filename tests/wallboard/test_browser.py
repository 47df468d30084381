"""The served board in Debian's headless Chromium: the page loads, draws the figures, survives a
server restart by itself, and its screenshots go to docs/screenshots on request.

Set FLOORBOARD_SCREENSHOT_DIR=docs/screenshots to refresh the screenshots in the docs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiokafka import AIOKafkaProducer

from floorboard.engine.layout import Layout
from floorboard.engine.snapshot import encode
from floorboard.streams.broker import EmbeddedBroker
from floorboard.wallboard.board import BoardBuilder
from tests.helpers import free_port, require_tool
from tests.wallboard.browser import Page, chromium, png_size
from tests.wallboard.data import NOW, example_config, records, store
from tests.wallboard.serving import open_screen, served

pytestmark = [pytest.mark.broker, pytest.mark.system]
TOPIC = "wallboard-browser"


@contextlib.asynccontextmanager
async def publishing(bootstrap: str) -> AsyncIterator[None]:
    """Publish the test morning's records every half second, as a worker would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    batch = [encode(r) for r in records(example_config())]

    async def loop() -> None:
        while True:
            for value in batch:
                await producer.send(TOPIC, value)
            await asyncio.sleep(0.5)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await producer.stop()


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.5)


def keep(shot: Path) -> None:
    if target := os.environ.get("FLOORBOARD_SCREENSHOT_DIR"):
        shutil.copy(shot, Path(target) / shot.name)


async def drawn(page: Page) -> bool:
    return bool(await page.evaluate("document.body.classList.contains('-first-byte')"))


async def offline(page: Page) -> bool:
    text = await page.evaluate("document.getElementById('offline').textContent")
    return "BOARD OFFLINE" in str(text) and "no connection to the board server since" in str(text)


async def screenshot(page: Page, path: Path, least_bytes: int) -> bool:
    """Take one; whether it holds more than a blank page would."""
    await page.screenshot(path)
    return path.stat().st_size > least_bytes


async def back(page: Page) -> bool:
    """A new session drew its first frame, and the offline notice is gone."""
    classes = await page.evaluate("document.body.className")
    return "-first-byte" in str(classes) and "-offline" not in str(classes)


async def test_board_in_chromium_shows_the_figures_and_reconnects(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    binary = require_tool("chromium", "chromium")
    cfg = example_config()
    expected = BoardBuilder(cfg, Layout(cfg.wait_bounds_ms, cfg.handle_bounds_ms)).supervisor(
        store(cfg).views(NOW), "today", next(iter(cfg.sites)), None
    )
    tiles = {t.key: t for t in expected.tiles}
    port = free_port()
    args = ("--broker", broker.bootstrap)
    env = {"FLOORBOARD_SNAPSHOTS_TOPIC": TOPIC}
    async with (
        publishing(broker.bootstrap),
        aiohttp.ClientSession() as http,
        chromium(binary, tmp_path / "profile", 1920, 1080) as page,
    ):
        with served(tmp_path, *args, env=env, port=port) as server:
            # The board's own output holds the figures the engine computes from the records.
            screen = await open_screen(http, server.url)
            await page.call("Page.navigate", url=f"{server.url}/?shift=0")
            for shown in (tiles["sl"].value, tiles["csat"].value, tiles["abandon"].value):
                await screen.wait_for(shown)
            await screen.socket.close()
            # The same figures in the browser. A blank or banner-only page compresses to some
            # 15 kB; a board of figures does not.
            await until(lambda: drawn(page), "the board's first frame")
            shot = tmp_path / "browser-supervisor-1920x1080.png"
            await until(lambda: screenshot(page, shot, 60_000), "the figures in the browser")
            assert png_size(shot) == (1920, 1080)
            keep(shot)

            await page.call("Page.navigate", url=f"{server.url}/?layout=team&team=red&shift=0")
            await until(lambda: drawn(page), "the team screen's first frame")
            shot = tmp_path / "browser-team-1920x1080.png"
            await until(lambda: screenshot(page, shot, 40_000), "the team screen")
            keep(shot)
            font_1080 = int(await page.evaluate("terminal.dataset.fontSize"))
            # The screen turns out to be a 4K one: the reload below shows the same board with
            # text twice as large.
            await page.call(
                "Emulation.setDeviceMetricsOverride",
                width=3840, height=2160, deviceScaleFactor=1, mobile=False,
            )  # fmt: skip
        # The server is gone: the page says so, with the time, instead of frozen figures...
        await until(lambda: offline(page), "the offline notice")
        with served(tmp_path, *args, env=env, port=port):
            # ...and comes back by itself once the server answers again.
            await until(lambda: back(page), "the board after the restart")
            font_4k = int(await page.evaluate("terminal.dataset.fontSize"))
            assert 2 * font_1080 - 1 <= font_4k <= 2 * font_1080 + 1, (font_1080, font_4k)
