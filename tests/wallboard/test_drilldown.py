"""The drill-down's day on the board and ``report --csv`` on the same events: the same half
hours, the same figures, the same abandoned contacts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from floorboard.cli import main
from floorboard.config import Config
from floorboard.engine.day import day_records
from floorboard.engine.engine import Engine
from floorboard.engine.read import layout_id, snapshot
from floorboard.events.model import Event
from floorboard.wallboard.app import ListScreen, WallboardApp
from floorboard.wallboard.drilldown import WIDTHS
from floorboard.wallboard.formatting import clock, pct
from floorboard.wallboard.store import RecordStore
from tests.factory import MINUTE, T0, contact
from tests.report.test_report import CONFIG, write
from tests.wallboard.data import NOW, example_config, morning

ZONE = example_config().sites["oslo"].zone
# besides the fixed morning: billing voice abandons at 08:10 and 08:50, and one after 3 min
EVENTS = sorted(
    [*morning(), *contact("ab1", T0 - 50 * MINUTE, abandon_s=12),
     *contact("ab2", T0 - 10 * MINUTE, abandon_s=180), *contact("ab3", T0 + 5 * MINUTE,
                                                                 abandon_s=4)],
    key=lambda e: e.ts,
)  # fmt: skip


def board_store(cfg: Config, events: list[Event]) -> RecordStore:
    engine = Engine(cfg)
    for ev in events:
        engine.apply(ev)
    store = RecordStore(layout_id(engine.layout), max_age_ms=10**12)
    store.add_all(snapshot(engine, NOW, "p0"), NOW)
    store.add_all(day_records(engine, NOW, "p0"), NOW)
    return store


async def drill_down(cfg: Config, store: RecordStore, row: str) -> list[str]:
    app = WallboardApp(cfg, store, clock=lambda: NOW, refresh_s=3600)
    async with app.run_test(size=(200, 60)) as pilot:
        table = app.query_one("#queues", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(row))
        await pilot.press("enter")
        assert isinstance(app.screen, ListScreen)
        return str(app.screen.query_one(".list-lines", Static).render()).splitlines()


def cells(line: str) -> list[str]:
    """A line of the half-hour table, cut at its column widths."""
    out, at = [], 0
    for width in WIDTHS:
        out.append(line[at : at + width].strip())
        at += width
    return out


def report_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str
) -> list[dict[str, str]]:
    path = write(tmp_path / "day.jsonl", EVENTS)
    at = dt.datetime.fromtimestamp(NOW / 1000, tz=ZONE).isoformat()
    assert main(["report", str(path), "--config", CONFIG, "--csv", table, "--at", at]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def num(text: str) -> float | None:
    return None if text == "" else float(text)


async def test_the_board_and_the_csv_show_the_same_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = example_config()
    lines = await drill_down(cfg, board_store(cfg, EVENTS), "oslo/billing/voice")
    table = lines.index("Today's half hours")
    assert cells(lines[table + 1])[:5] == ["start", "offered", "answered", "abandoned", "SL"]
    board = {cells(line)[0]: cells(line) for line in lines[table + 2 : table + 2 + 48] if line}
    rows = [r for r in report_csv(tmp_path, capsys, "intervals")
            if (r["queue"], r["channel"]) == ("billing", "voice")]  # fmt: skip
    assert len(rows) == 20  # 00:00 to the half hour under way at 09:30
    assert sum(int(r["offered"]) for r in rows) > 10
    # The half hours before the first activity are one line on the board.
    activity = ("offered", "answered", "abandoned", "csat_mean", "nps", "fcr_rate")
    first = next(i for i, r in enumerate(rows) if any(r[k] not in ("", "0") for k in activity))
    assert first > 1
    assert lines[table + 2] == f"{'00:00–' + rows[first]['start'][11:16]:<{WIDTHS[0]}}no activity"
    assert not set(board) & {r["start"][11:16] for r in rows[:first]}
    for r in rows[first:]:
        _, offered, answered, abandoned, sl, asa, aht, csat, nps, fcr = board[r["start"][11:16]]
        assert (offered, answered, abandoned) == (r["offered"], r["answered"], r["abandoned"])
        assert sl == pct(num(r["service_level"]))
        assert (asa, aht) == (clock(num(r["asa_s"])), clock(num(r["aht_s"])))
        for shown, value, fmt in ((csat, r["csat_mean"], "{:.1f}"), (nps, r["nps"], "{:+.0f}"),
                                  (fcr, r["fcr_rate"], "{:.0%}")):  # fmt: skip
            assert shown.split(" ")[0] == ("–" if value == "" else fmt.format(float(value)))
    assert any(r["csat_mean"] for r in rows)  # the quality columns are compared too
    listed = lines[next(i for i, line in enumerate(lines) if line.startswith("abandoned at")) + 1 :]
    gone = [r for r in report_csv(tmp_path, capsys, "abandoned")
            if (r["queue"], r["channel"]) == ("billing", "voice")]  # fmt: skip
    assert len(gone) == 3
    # most recent first on the board
    assert [line.split() for line in listed] == [
        [r["abandoned_at"][11:19], clock(float(r["waited_s"]))] for r in reversed(gone)
    ]
    assert lines[lines.index(listed[0]) - 2] == "Abandoned today: 3, most recent first"


async def test_a_full_list_says_how_many_it_leaves_out() -> None:
    cfg = example_config()
    cfg = cfg.model_copy(update={"engine": cfg.engine.model_copy(update={"abandoned_list_max": 2})})
    lines = await drill_down(cfg, board_store(cfg, EVENTS), "oslo/billing/voice")
    assert "Abandoned today: 3, the 2 most recent listed (1 earlier not listed)" in lines


async def test_before_the_first_day_record_the_drill_down_says_so() -> None:
    cfg = example_config()
    store = RecordStore(layout_id(Engine(cfg).layout), max_age_ms=10**12)
    engine = Engine(cfg)
    for ev in EVENTS:
        engine.apply(ev)
    store.add_all(snapshot(engine, NOW, "p0"), NOW)
    lines = await drill_down(cfg, store, "oslo/billing/voice")
    assert lines[-1] == "Today's half hours: not received yet (sent every 10 s)"
