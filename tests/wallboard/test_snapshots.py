"""Screenshots of both layouts at 80×24 and 200×60 on deterministic data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App
from textual.pilot import Pilot

from floorboard.wallboard.app import WallboardApp
from tests.wallboard.data import NOW, example_config, store

SnapCompare = Callable[..., bool]


def make_app(layout: str) -> WallboardApp:
    cfg = example_config()
    return WallboardApp(cfg, store(cfg), layout_name=layout, clock=lambda: NOW, refresh_s=3600)


@pytest.mark.parametrize("layout", ["supervisor", "team"])
@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_layouts(snap_compare: SnapCompare, layout: str, size: tuple[int, int]) -> None:
    async def settle(pilot: Pilot[None]) -> None:
        await pilot.pause()

    app: App[None] = make_app(layout)
    assert snap_compare(app, terminal_size=size, run_before=settle)
