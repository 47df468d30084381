"""A twelve-hour queue_log (tests/sources/fixtures/queue_log) through ``ingest`` and ``report``.

The fixture: three queues, four agents in two teams, a call across midnight, a blind and an
attended transfer (the first re-enters another queue), pauses with reasons in one and in all
queues, an abandon after ringing, a short abandon, a timeout, an empty-queue exit, an exit with
a key, a repeated caller, a call still talking and one still waiting at the end, and vendor
lines (DID, INFO, OUTCALL). Every expected figure below is worked out by hand in the comments.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from floorboard.cli import main
from floorboard.config import EXAMPLE_CONFIG

FIXTURES = Path(__file__).parent / "fixtures"
QUEUE_LOG = FIXTURES / "queue_log"
TEAMS = FIXTURES / "teams.yaml"
OSLO = ZoneInfo("Europe/Oslo")


def ingest(tmp_path: Path, source: Path, *extra: str) -> Path:
    out = tmp_path / f"{source.name}.jsonl"
    argv = ["ingest", "asterisk", str(source), "--site", "oslo", "--teams", str(TEAMS)]
    assert main([*argv, "--wrapup", "30", "--out", str(out), *extra]) == 0
    return out


def report(events: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", str(events), "--config", str(EXAMPLE_CONFIG), "--json"]) == 0
    doc: dict[str, Any] = orjson.loads(capsys.readouterr().out)
    return doc


def values(figures: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: figures[n]["value"] for n in names}


def test_report_figures_match_the_hand_computed_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = report(ingest(tmp_path, QUEUE_LOG), capsys)
    assert doc["rejections"] == []
    assert not [k for k in doc["counters"] if k.startswith("rejected")]
    today = doc["figures"]["today"]  # 2026-11-24, read at 11:59 (the last line)
    billing = today["queues"]["oslo/billing/voice"]
    # Offered 9: c1 c2 c3 c4 c5 c6 c12 c13 c11. Answered 5 after 12, 25, 8, 15, 10 s (4 ≤ 20 s).
    # Abandoned 4 after 13 (rang first), 3 (short), 120 (timeout), 40 s. Handled 4: talk 240,
    # 300, 120 (blind transfer), 240; every wrap-up 30 s; c11 still talking.
    assert values(
        billing, "offered", "answered", "abandoned", "short_abandoned", "service_level",
        "asa_s", "avg_abandon_s", "transfer_rate", "aht_s", "avg_acw_s",
    ) == {
        "offered": 9, "answered": 5, "abandoned": 4, "short_abandoned": 1,
        "service_level": pytest.approx(4 / 9), "asa_s": 70 / 5, "avg_abandon_s": 176 / 4,
        "transfer_rate": 1 / 5, "aht_s": 900 / 4 + 30, "avg_acw_s": 30,
    }  # fmt: skip
    sales = today["queues"]["oslo/sales/voice"]
    # c7 answered after 5 s, attended transfer after 300 s; c14 left an empty queue at once.
    assert values(sales, "offered", "answered", "short_abandoned", "transfer_rate", "aht_s") == {
        "offered": 2, "answered": 1, "short_abandoned": 1, "transfer_rate": 1.0, "aht_s": 330,
    }  # fmt: skip
    support = today["queues"]["oslo/support/voice"]
    # Offered today: c5 (transferred in from billing), c8, c9, c10 (still waiting). The midnight
    # call was offered yesterday but ended today: handled 3 (it, c5 and c9, 300 s each).
    # SL: 60 s over answered + long abandons (queue override): c5 40 s, c9 90 s → 1 / 2.
    assert values(
        support, "offered", "answered", "callbacks", "service_level", "asa_s", "aht_s"
    ) == {
        "offered": 4, "answered": 2, "callbacks": 1, "service_level": 0.5, "asa_s": 65,
        "aht_s": 330,
    }  # fmt: skip
    assert support["aht_s"]["n"] == 3
    site = today["sites"]["oslo"]
    # 15 offered; within T: billing 4, sales 1, support 1; abandoned 4 + 1.
    assert values(site, "offered", "answered", "service_level", "abandon_rate") == {
        "offered": 15, "answered": 8, "service_level": pytest.approx(6 / 15),
        "abandon_rate": pytest.approx(5 / 15),
    }  # fmt: skip
    red = today["teams"]["oslo/red"]
    # 201: c1 c5 c7; 202: c2 c13 c11 — waits 12 8 5 25 15 10; handled talk 240 120 300 300 240.
    assert values(red, "answered", "asa_s", "aht_s") == {
        "answered": 6, "asa_s": 75 / 6, "aht_s": 1200 / 5 + 30
    }  # fmt: skip


def test_agent_time_in_state_matches_the_hand_computed_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = report(ingest(tmp_path, QUEUE_LOG), capsys)
    teams = {r["team"]: r for r in doc["records"] if r["type"] == "team"}
    # [logged_in, ready, not_ready, busy, acw] in ms, today up to 11:59:00. A state that
    # follows another in the same second goes 1 ms later (docs/sources.md).
    # blue — PJSIP/301: busy 00:00–00:03:30 (the midnight call), acw 30 s, logged out
    # 00:04–07:59, added paused (not ready 59.999 s), ready 08:00–08:41:30, busy 300 s, acw
    # 30 s, ready 08:47–11:59. Agent/1001: logged in 07:59:30, ready 500 s, busy 300 s, acw
    # 30 s, ready 08:13:20–11:30 (logoff).
    blue_ready = (2490 + 11520) + (500 + 11800)
    assert teams["blue"]["agent_time"]["today"] == [
        2, blue_ready * 1000, 59_999, (210 + 300 + 300) * 1000, 90_000
    ]  # fmt: skip
    # red — PJSIP/201: ready 141.999 + 16 + 747 + 3865 + 7140 s, Lunch 1800 s, busy 240 + 120 +
    # 300 s; PJSIP/202: ready 203.999 + 3500 + 4815 + 3010 s, Training 1800 s, busy 300 + 240
    # s and 530 s on the call still running at 11:59.
    red_ready = (141.999 + 16 + 747 + 3865 + 7140) + (203.999 + 3500 + 4815 + 3010)
    assert teams["red"]["agent_time"]["today"] == [
        2, round(red_ready * 1000), 3_600_000, (660 + 1070) * 1000, 150_000
    ]  # fmt: skip
    rosters = [r for r in doc["records"] if r["type"] == "agents"]
    live = {a["agent"]: (a["state"], a["reason"]) for r in rosters for a in r["agents"]}
    assert live == {
        "PJSIP/201": ("ready", ""),
        "PJSIP/202": ("busy", ""),
        "PJSIP/301": ("ready", ""),
    }


def test_ingest_counts_every_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ingest(tmp_path, QUEUE_LOG)
    err = capsys.readouterr().err
    # 63 lines: 8 carry no KPI (2 QUEUESTART, 2 RINGNOANSWER, RINGCANCELED, DID, INFO,
    # CONFIGRELOAD), 1 is a vendor event (OUTCALL), the other 54 map.
    assert "ingest asterisk: mapped 54, ignored 9, rejected 0" in err
    assert "asterisk ignored no_kpi: 8" in err
    assert "asterisk ignored unknown_event: 1" in err


def to_csv(flat: bytes, single_data: bool, local_time: bool) -> bytes:
    """The realtime queue_log table of the same lines, exported as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    data_cols = ["data"] if single_data else [f"data{i}" for i in range(1, 6)]
    writer.writerow(["time", "callid", "queuename", "agent", "event", *data_cols])
    for raw in flat.decode().splitlines():
        t, callid, queue, agent, event, *data = raw.split("|")
        if local_time:
            t = dt.datetime.fromtimestamp(int(t), OSLO).strftime("%Y-%m-%d %H:%M:%S")
        if single_data:
            cells = ["|".join(data)]
        elif event == "ATTENDEDTRANSFER":  # the method data keeps its '|' in data2
            cells = [data[0], "|".join(data[1:-3]), *data[-3:]]
        else:
            cells = (data + [""] * 5)[:5]
        writer.writerow([t, callid, queue, agent, event, *cells])
    return out.getvalue().encode()


@pytest.mark.parametrize(("single_data", "local_time"), [(False, False), (True, True)])
def test_the_csv_export_gives_the_same_events(
    tmp_path: Path, single_data: bool, local_time: bool
) -> None:
    exported = tmp_path / "queue_log.csv"
    exported.write_bytes(to_csv(QUEUE_LOG.read_bytes(), single_data, local_time))
    extra = ["--timezone", "Europe/Oslo"] if local_time else []
    from_csv = ingest(tmp_path, exported, *extra).read_bytes()
    assert from_csv == ingest(tmp_path, QUEUE_LOG).read_bytes()


def test_a_csv_with_local_times_needs_a_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "queue_log.csv"
    exported.write_bytes(to_csv(QUEUE_LOG.read_bytes(), False, True))
    argv = ["ingest", "asterisk", str(exported), "--site", "oslo", "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "floorboard ingest asterisk: the CSV holds local times ('2026-11-23 23:50:00'): "
        "give --timezone"
    )


def test_reading_the_file_again_only_adds_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    once = ingest(tmp_path, QUEUE_LOG)
    twice = tmp_path / "twice.jsonl"
    # Each event again right after itself (a restart re-reads recent lines, within lateness).
    twice.write_bytes(b"".join(line * 2 for line in once.read_bytes().splitlines(keepends=True)))
    first, second = report(once, capsys), report(twice, capsys)
    assert second["counters"] == {"after_at": 0, "applied": 91, "duplicate": 91}
    assert second["figures"] == first["figures"]
