"""The report's input: line endings, byte order mark, empty batches, hostile lines, and
accounting that adds up (every event read ends in exactly one outcome or rejection)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floorboard.cli import main
from floorboard.config import Config, parse_config
from floorboard.engine.engine import REFUSED
from floorboard.events.codec import encode, encode_batch, nesting_depth
from floorboard.report.build import build_report
from tests.factory import BASE_CONFIG, T0, contact, event
from tests.hostile import YEAR_2999_MS, any_record

CONFIG = parse_config(BASE_CONFIG)
GOOD = contact("g1", T0, wait_s=12, talk_s=100)  # offered, answered, ended


def report_of(tmp_path: Path, data: bytes, config: Config = CONFIG) -> tuple[dict[str, int], int]:
    path = tmp_path / "events.jsonl"
    path.write_bytes(data)
    report = build_report(path, config)
    return dict(report.outcomes), len(report.bad_lines)


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending_reads_every_event(tmp_path: Path, ending: bytes) -> None:
    # issue 12, row 10: CR-only endings read as one malformed line
    data = ending.join(encode(e) for e in GOOD) + ending
    assert report_of(tmp_path, data) == ({"applied": 3}, 0)


def test_a_byte_order_mark_does_not_cost_the_first_event(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + b"\r\n".join(encode(e) for e in GOOD)
    assert report_of(tmp_path, data) == ({"applied": 3}, 0)


def test_empty_batches_and_arrays_of_non_objects(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"[]\n[1,2,3]\n" + encode_batch(GOOD) + b"\n[ ]\n")
    report = build_report(path, CONFIG)
    assert report.empty_batches == 2
    assert [(b.line, b.reason, b.count) for b in report.bad_lines] == [(2, "not_an_object", 1)]
    assert dict(report.outcomes) == {"applied": 3}


def test_hostile_lines_are_bad_lines_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 12, row 1: `report` exited 1 with "TypeError: Recursion limit reached"
    far = event("contact.offered", YEAR_2999_MS, contact_id="f", queue="billing", channel="voice")
    lines = [
        b"[" * 256 + b"]" * 256,
        b'{"a":' * 1000,
        b"[" + b"0," * 20_000 + b"0]",
        b"\xff\xfe not utf-8",
        encode(far),
        *(encode(e) for e in GOOD),
    ]
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["report", str(path), "--config", str(_config_file(tmp_path)), "--json"]) == 0
    err = capsys.readouterr().err
    assert "line 1: too_deep:" in err and "line 2: too_deep:" in err
    assert "line 3: too_large: record holds 20001 events" in err
    assert "line 4: malformed_json:" in err
    assert "line 5: from_future:" in err
    report = build_report(path, CONFIG)
    assert dict(report.outcomes) == {"applied": 3, "from_future": 1}
    # the far-future event did not move the clock: the good events are not too late
    assert report.engine.watermarks == {"oslo": max(e.ts for e in GOOD)}


def test_a_line_over_the_byte_limit_is_skipped_without_reading_it_whole(tmp_path: Path) -> None:
    config = parse_config({**BASE_CONFIG, "limits": {"max_record_bytes": 2048}})
    data = encode(GOOD[0]) + b"\n" + b"x" * 200_000 + b"\n" + encode(GOOD[1]) + b"\n"
    path = tmp_path / "events.jsonl"
    path.write_bytes(data)
    report = build_report(path, config)
    assert [(b.line, b.reason) for b in report.bad_lines] == [(2, "too_large")]
    assert dict(report.outcomes) == {"applied": 2}


def _config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.json"  # JSON is YAML
    path.write_text(json.dumps(BASE_CONFIG))
    return path


def expected_count(raw: bytes) -> int:
    """Events a line stands for, worked out without the codec's decoders."""
    if not raw.strip():
        return 0
    if nesting_depth(raw, CONFIG.limits.max_depth) > CONFIG.limits.max_depth:
        return 1
    try:
        value = json.loads(raw)
    except ValueError:
        return 1
    if not isinstance(value, list):
        return 1
    if not value:
        return 0
    if len(value) > CONFIG.limits.max_batch_events:
        return len(value)
    return len(value) if any(isinstance(item, dict) for item in value) else 1


single_line = any_record.filter(lambda raw: b"\n" not in raw and b"\r" not in raw)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(single_line, max_size=12),
    ending=st.sampled_from([b"\n", b"\r\n", b"\r"]),
    bom=st.booleans(),
)
def test_accounting_adds_up(tmp_path: Path, records: list[bytes], ending: bytes, bom: bool) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ending.join(records) + ending)
    report = build_report(path, CONFIG)
    read = sum(report.outcomes.values()) + sum(report.rejected.values())
    assert read == sum(map(expected_count, records))
    assert report.empty_batches == sum(
        1 for raw in records if raw.strip() and expected_count(raw) == 0
    )
    assert set(report.outcomes) <= {"applied", "duplicate", *REFUSED}


def test_stderr_names_the_first_rejected_lines_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"not json\n" * 25 + b"\n".join(encode(e) for e in GOOD) + b"\n")
    assert main(["report", str(path), "--config", str(_config_file(tmp_path)), "--json"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[:20] == [
        f"line {n}: malformed_json: {err[0].split(': ', 2)[2]}" for n in range(1, 21)
    ]
    assert err[20:] == ["… and 5 more rejected lines (--json lists every one)"]
