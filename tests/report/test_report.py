"""The offline report: bad lines are reported and counted, the rest is computed; the JSON document
follows its schema and the text reads in local time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from floorboard.cli import main
from floorboard.config import EXAMPLE_CONFIG
from floorboard.engine.snapshot import SourceStatus
from floorboard.events.codec import encode
from floorboard.events.model import Event
from floorboard.report.document import schema
from tests.engine.helpers import oslo
from tests.factory import MINUTE, T0, contact, event

CONFIG = str(EXAMPLE_CONFIG)


def write_events(path: Path) -> None:
    good = [
        *contact("r1", T0, wait_s=12, talk_s=100, acw_s=20),
        *contact("r2", T0 + 1000, abandon_s=30),
    ]
    good.append(event("survey.response", T0 + 60_000, contact_id="r1", csat=4, nps=9))
    good.append(good[0])  # the same event id twice: a duplicate
    lines = [encode(e) for e in good[:2]]
    lines += [b"{oops", b'{"v":1,"id":"u1","type":"contact.beamed","ts":1,"site":"oslo"}', b""]
    lines += [encode(e) for e in good[2:]]
    path.write_bytes(b"\n".join(lines) + b"\n")


def write(path: Path, events: list[Event]) -> Path:
    path.write_bytes(b"".join(encode(e) + b"\n" for e in events))
    return path


def report_json(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["report", str(path), "--config", CONFIG, "--json", *args]) == 0
    doc: dict[str, Any] = orjson.loads(capsys.readouterr().out)
    jsonschema.validate(doc, schema())
    return doc


def report_text(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["report", str(path), "--config", CONFIG, *args]) == 0
    return capsys.readouterr().out


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_report_json_follows_its_schema_with_counts_rejections_and_counters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "day.jsonl"
    write_events(events)
    assert main(["report", str(events), "--config", CONFIG, "--json"]) == 0
    out, err = capsys.readouterr()
    doc = orjson.loads(out)
    jsonschema.validate(doc, schema())
    assert doc["schema_version"] == 1
    # rejected lines: in the document with line and reason, and on stderr
    assert [(r["line"], r["reason"]) for r in doc["rejections"]] == [
        (3, "malformed_json"), (4, "unknown_type"),
    ]  # fmt: skip
    assert "line 4: unknown_type: event u1 (contact.beamed): type: unknown event type" in err
    # every counter, by the status record's names
    assert doc["counters"] == {
        "after_at": 0, "applied": 7, "duplicate": 1, "rejected:malformed_json": 1,
        "rejected:unknown_type": 1,
    }  # fmt: skip
    status = next(r for r in doc["records"] if r["type"] == "status")
    assert {k: v for k, v in doc["counters"].items() if k != "after_at"} == status["counters"]
    assert SourceStatus.__doc__ is not None and "duplicate" in SourceStatus.__doc__
    billing = doc["figures"]["today"]["queues"]["oslo/billing/voice"]
    assert billing["offered"]["value"] == 2 and isinstance(billing["offered"]["value"], int)
    assert b'"value":2,' in out.encode() and b'"value":2.0' not in out.encode()
    assert billing["service_level"]["value"] == pytest.approx(0.5)
    assert billing["service_level"]["variant"] == "ans≤20s / offered"
    assert billing["csat_mean"]["value"] == 4
    assert billing["csat_mean"]["low_sample"] is True
    assert billing["asa_s"]["low_sample"] is False  # always present
    red = doc["figures"]["today"]["teams"]["oslo/red"]
    assert red["service_level"]["scope"] == "queues red answered: billing/voice"
    assert {r["type"] for r in doc["records"]} == {"queue", "team", "status"}


def test_at_and_windows_are_local_with_their_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = report_json(write(tmp_path / "d.jsonl", contact("c", T0, wait_s=5)), capsys,
                      "--at", "2026-11-23T08:05:00Z")  # fmt: skip
    assert doc["at"] == "2026-11-23T09:05:00+01:00"
    oslo_site = doc["sites"]["oslo"]
    assert oslo_site["timezone"] == "Europe/Oslo" and oslo_site["utc_offset"] == "+01:00"
    assert oslo_site["windows"]["today"] == {
        "start": "2026-11-23T00:00:00+01:00", "end": "2026-11-23T09:15:00+01:00",
        "utc_offset": "+01:00",
    }  # fmt: skip
    assert oslo_site["windows"]["previous_15m"]["start"] == "2026-11-23T08:45:00+01:00"


def test_the_two_0215_intervals_of_the_fall_back_night_are_told_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Oslo, Sunday 25 October 2026: 02:00-03:00 happens twice, first at +02:00, then at +01:00.
    first, second = oslo(2026, 10, 25, 2, 20), oslo(2026, 10, 25, 2, 20, fold=1)
    assert second - first == 60 * MINUTE
    path = write(tmp_path / "night.jsonl", [*contact("a", first - MINUTE, wait_s=5),
                                            *contact("b", second - MINUTE, wait_s=5)])  # fmt: skip
    windows = [
        report_json(path, capsys, "--at", str(at))["sites"]["oslo"]["windows"]["interval_15m"]
        for at in (first, second)
    ]
    assert windows[0] == {"start": "2026-10-25T02:15:00+02:00",
                          "end": "2026-10-25T02:30:00+02:00", "utc_offset": "+02:00"}  # fmt: skip
    assert windows[1] == {"start": "2026-10-25T02:15:00+01:00",
                          "end": "2026-10-25T02:30:00+01:00", "utc_offset": "+01:00"}  # fmt: skip
    # "today" spans the 25-hour day from its own midnight at +02:00
    today = report_json(path, capsys, "--at", str(second))["sites"]["oslo"]["windows"]["today"]
    assert today["start"] == "2026-10-25T00:00:00+02:00" and today["utc_offset"] == "+02:00"


def test_report_tables_put_quality_beside_production_in_local_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "day.jsonl"
    write_events(events)
    out = report_text(events, capsys, "--at", "2026-11-23T09:05:00+01:00")
    assert "oslo: at 2026-11-23 09:05:00 (UTC+01:00, Europe/Oslo)" in out
    assert "events: 7 applied, 1 duplicate" in out
    assert "lines rejected before the engine: 1 malformed_json, 1 unknown_type" in out
    assert "== oslo · today · 2026-11-23 00:00 → 09:15 (UTC+01:00) ==" in out
    assert "{" not in out and "'" not in out  # no Python reprs
    header = next(line for line in out.splitlines() if "Offered" in line)
    assert header.index("SL") < header.index("Occ") < header.index("CSAT") < header.index("QA")
    row = next(line for line in out.splitlines() if line.startswith("queue oslo/billing/voice"))
    assert "50.0%" in row and "4.0*" in row
    assert "(low sample)" in out  # a greyed figure was printed


def test_unlinked_survey_answers_have_a_named_row_and_no_footnote_without_surveys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unlinked = write(tmp_path / "u.jsonl", [*contact("c", T0, wait_s=5),
                     event("survey.response", T0 + MINUTE, contact_id="never-seen", csat=5)])  # fmt: skip
    out = report_text(unlinked, capsys)
    rows = [line for line in out.splitlines() if "not linked to a contact" in line]
    assert rows and all(r.startswith("surveys not linked to a contact ") for r in rows)
    assert "oslo//" not in out
    plain = report_text(write(tmp_path / "p.jsonl", contact("c", T0, wait_s=5)), capsys)
    assert "low sample" not in plain


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("none.jsonl", "none.jsonl: no such file"),
        (".", ": is a directory, not an events file"),
        ("file.jsonl/inside", "inside: cannot read: Not a directory"),
    ],
)
def test_a_missing_directory_or_unreadable_path_gets_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    (tmp_path / "file.jsonl").write_text("")
    assert main(["report", str(tmp_path / name), "--config", CONFIG]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("floorboard report: ")


def test_sites_in_different_zones_each_read_in_their_own_and_at_is_utc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "two.yaml"
    config.write_text(
        "sites:\n  oslo: {timezone: Europe/Oslo}\n  helsinki: {timezone: Europe/Helsinki}\n"
    )
    path = write(tmp_path / "d.jsonl", contact("c", T0, wait_s=5))
    args = ["report", str(path), "--config", str(config), "--at", "2026-11-23T08:05:00Z"]
    assert main([*args, "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    jsonschema.validate(doc, schema())
    assert doc["at"] == "2026-11-23T08:05:00+00:00"
    assert doc["sites"]["oslo"]["at"] == "2026-11-23T09:05:00+01:00"
    assert doc["sites"]["helsinki"]["at"] == "2026-11-23T10:05:00+02:00"
    assert doc["sites"]["helsinki"]["windows"]["today"]["start"] == "2026-11-23T00:00:00+02:00"
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "helsinki: at 2026-11-23 10:05:00 (UTC+02:00, Europe/Helsinki)" in out
