"""``ingest csv``: call records of an ACD export through a mapping file, row by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from floorboard.cli import main
from floorboard.events.codec import encode
from floorboard.sources.call_records import CallRecordMapper, parse_mapping

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "acd_export.csv"
MAPPING = FIXTURES / "acd_mapping.yaml"
T = 1795503600_000  # 2026-11-24 08:00 Europe/Oslo
S = 1000


def mapper() -> CallRecordMapper:
    mapping = parse_mapping(yaml.safe_load(MAPPING.read_text()), "mapping")
    header = EXPORT.read_text().splitlines()[0].split(";")
    return CallRecordMapper(mapping, "oslo", header)


def rows() -> list[bytes]:
    return EXPORT.read_bytes().splitlines()[1:]


def events(raw: bytes) -> list[dict[str, Any]]:
    out = []
    for e in mapper().map_raw(raw).events:
        d = msgspec.json.decode(encode(e))
        d.pop("id")
        out.append(d)
    return out


def test_an_answered_call_yields_its_whole_lifecycle() -> None:
    base = {"v": 1, "site": "oslo", "contact_id": "c-1", "queue": "billing", "channel": "voice"}
    leg = {**base, "agent": "a-1", "team": "red"}
    assert events(rows()[0]) == [
        {**base, "type": "contact.offered", "ts": T},
        {**leg, "type": "contact.answered", "ts": T + 12 * S, "wait_s": 12.0},
        {**leg, "type": "contact.ended", "ts": T + 252 * S, "talk_s": 220.0, "hold_s": 20.0},
        {**leg, "type": "contact.wrapup_ended", "ts": T + 282 * S, "acw_s": 30.0},
    ]


def test_unanswered_and_transferred_calls() -> None:
    abandoned, transferred, _, callback = (events(r) for r in rows()[1:5])
    assert [(e["type"], e["ts"] - T, e.get("wait_s")) for e in abandoned] == [
        ("contact.offered", 60 * S, None), ("contact.abandoned", 100 * S, 40.0)
    ]  # fmt: skip
    assert [e["type"] for e in transferred] == [
        "contact.offered", "contact.answered", "contact.transferred", "contact.ended",
        "contact.wrapup_ended",
    ]  # fmt: skip
    assert transferred[2]["to_queue"] == "sales"
    assert [(e["type"], e.get("wait_s")) for e in callback] == [
        ("contact.offered", None), ("contact.callback_requested", 90.0)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("index", "outcome", "reason"),
    [
        (3, "ignored", "not_inbound"),  # OUT
        (5, "rejected", "bad_order"),  # answered before it arrived
        (6, "rejected", "unknown_outcome"),  # BUSY is in no list
        (7, "rejected", "bad_time"),  # 'yesterday'
    ],
)
def test_rows_that_do_not_map(index: int, outcome: str, reason: str) -> None:
    result = mapper().map_raw(rows()[index])
    assert (result.outcome, result.reason, result.events) == (outcome, reason, [])


def test_ids_are_stable_across_reads() -> None:
    first = [e.id for r in rows()[:5] for e in mapper().map_raw(r).events]
    assert first == [e.id for r in rows()[:5] for e in mapper().map_raw(r).events]
    assert len(set(first)) == len(first)


def test_ingest_csv_writes_events_and_dead_letters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "calls.jsonl"
    argv = ["ingest", "csv", str(EXPORT), "--mapping", str(MAPPING), "--site", "oslo"]
    assert main([*argv, "--out", str(out)]) == 0
    assert len(out.read_bytes().splitlines()) == 4 + 2 + 5 + 2
    assert len((tmp_path / "calls.jsonl.deadletter").read_bytes().splitlines()) == 3
    assert (
        "ingest csv: mapped 4, ignored 2, rejected 3"
    )  # the header is ignored too in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"columns": {}, "outcomes": {}}, "columns.contact_id: Field required"),
        ({"columns": {"contact_id": "CallID", "queue": "Split", "outcome": "Disposition",
                      "queue_start": "Arrived"}, "outcomes": {}, "timezone": "Mars/Base"},
         "timezone: not an IANA time zone: 'Mars/Base'"),
        ({"columns": {"contact_id": "Id", "queue": "Split", "outcome": "Disposition",
                      "queue_start": "Arrived"}, "outcomes": {}},
         "has no column 'Id'"),
    ],
)  # fmt: skip
def test_a_bad_mapping_stops_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mapping: dict[str, Any], message: str
) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump({**mapping, "delimiter": ";"}))
    argv = ["ingest", "csv", str(EXPORT), "--mapping", str(path), "--site", "oslo"]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err
