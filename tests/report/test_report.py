"""The offline report: bad lines are reported and counted, the rest is computed."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from floorboard.cli import main
from floorboard.config import EXAMPLE_CONFIG
from floorboard.events.codec import encode
from tests.factory import T0, contact, event

CONFIG = str(EXAMPLE_CONFIG)


def write_events(path: Path) -> None:
    good = [
        *contact("r1", T0, wait_s=12, talk_s=100, acw_s=20),
        *contact("r2", T0 + 1000, abandon_s=30),
    ]
    good.append(event("survey.response", T0 + 60_000, contact_id="r1", csat=4, nps=9))
    lines = [encode(e) for e in good[:2]]
    lines += [b"{oops", b'{"v":1,"id":"u1","type":"contact.beamed","ts":1,"site":"oslo"}', b""]
    lines += [encode(e) for e in good[2:]]
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_report_json_counts_bad_lines_and_computes_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "day.jsonl"
    write_events(events)
    assert main(["report", str(events), "--config", CONFIG, "--json"]) == 0
    out, err = capsys.readouterr()
    doc = orjson.loads(out)
    assert doc["bad_lines"] == 2
    assert doc["outcomes"] == {"applied": 7}
    assert "line 3: malformed_json" in err
    assert "line 4: unknown_type: event u1 (contact.beamed): type: unknown event type" in err
    billing = doc["figures"]["today"]["queues"]["oslo/billing/voice"]
    assert billing["offered"]["value"] == 2
    assert billing["service_level"]["value"] == pytest.approx(0.5)
    assert billing["service_level"]["variant"] == "ans≤20s / offered"
    assert billing["csat_mean"]["value"] == 4
    assert billing["csat_mean"]["low_sample"] is True
    kinds = {r["type"] for r in doc["records"]}
    assert kinds == {"queue", "team", "status"}


def test_report_tables_put_quality_beside_production(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "day.jsonl"
    write_events(events)
    assert (
        main(["report", str(events), "--config", CONFIG, "--at", "2026-11-23T09:05:00+01:00"]) == 0
    )
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "Offered" in line)
    assert header.index("SL") < header.index("CSAT") < header.index("QA")
    row = next(line for line in out.splitlines() if line.startswith("queue oslo/billing/voice"))
    assert "50.0%" in row and "4.0*" in row


def test_report_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "none.jsonl"), "--config", CONFIG]) == 2
    assert "no such file" in capsys.readouterr().err
