"""Fuzzing the codec, the engine and the report with hostile records: nothing raises, every
record is accounted for, and no accepted event moves a site's clock past wall clock + skew."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floorboard.engine.engine import REFUSED, Engine
from floorboard.engine.read import snapshot
from floorboard.events.codec import decode_record
from floorboard.report.build import build_report
from tests.factory import T0, config
from tests.fuzz.conftest import PROFILE
from tests.hostile import any_record, hostile_record

NOW_S = T0 / 1000 + 3600


@settings(settings.get_profile(PROFILE))
@given(st.one_of(any_record, st.binary(max_size=400)))
def test_the_codec_answers_every_input(raw: bytes) -> None:
    events, rejected = decode_record(raw)
    assert all(r.count >= 1 and r.reason for r in rejected)
    if raw.strip() not in (b"[]",) and not events:
        assert rejected  # something non-empty always gets a verdict


@settings(settings.get_profile(PROFILE))
@given(st.lists(any_record, max_size=15))
def test_the_engine_applies_whatever_the_codec_accepts(records: list[bytes]) -> None:
    engine = Engine(config(), clock=lambda: NOW_S)
    read = 0
    for raw in records:
        events, rejected = decode_record(raw)
        read += len(events) + sum(r.count for r in rejected)
        for bad in rejected:
            engine.count_rejected(bad.reason, bad.count)
        engine.apply_all(events)
    counters = engine.counters
    settled = counters["applied"] + counters["duplicate"] + sum(counters[k] for k in REFUSED)
    rejected_total = sum(v for k, v in counters.items() if k.startswith("rejected:"))
    assert settled + rejected_total == read
    skew_ms = engine.config.engine.max_future_skew_s * 1000
    assert all(wm <= NOW_S * 1000 + skew_ms for wm in engine.watermarks.values())
    # every state the engine reaches checkpoints and reads
    assert engine.checkpoint(0).encode()
    snapshot(engine, int(NOW_S * 1000), "fuzz")


@settings(
    settings.get_profile(PROFILE), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(hostile_record.filter(lambda raw: not {10, 13} & set(raw)), max_size=8))
def test_the_report_reads_every_hostile_file(tmp_path: Path, records: list[bytes]) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(records))
    report = build_report(path, config())
    assert all(1 <= bad.line <= len(records) for bad in report.bad_lines)
    refused = sum(report.outcomes[o] for o in REFUSED)
    assert sum(bad.count for bad in report.bad_lines) == sum(report.rejected.values()) + refused
