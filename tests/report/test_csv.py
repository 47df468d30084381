"""``report --csv``: the day's interval table and abandoned contacts, without identifiers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from floorboard.cli import main
from tests.engine.helpers import oslo
from tests.factory import contact
from tests.report.test_report import CONFIG, write

# Monday 2026-11-23 in Oslo: 09:05 and 09:20 answered (8 s and 45 s), 09:40 abandoned after 70 s;
# the day before, one call that today's table must leave out
EVENTS = [
    *contact("yesterday", oslo(2026, 11, 22, 15, 0), wait_s=5, talk_s=60),
    *contact("cust-a", oslo(2026, 11, 23, 9, 5), wait_s=8, talk_s=200, acw_s=20),
    *contact("cust-b", oslo(2026, 11, 23, 9, 20), wait_s=45, talk_s=100, acw_s=20),
    *contact("cust-c", oslo(2026, 11, 23, 9, 40), abandon_s=70),
]
AT = "2026-11-23T10:10:00+01:00"


def rows(tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str) -> list[dict[str, str]]:
    path = write(tmp_path / "day.jsonl", EVENTS)
    assert main(["report", str(path), "--config", CONFIG, "--csv", table, "--at", AT]) == 0
    out = capsys.readouterr().out
    assert "cust-" not in out and "a1" not in out  # no customer or agent identifiers
    return list(csv.DictReader(io.StringIO(out)))


def test_interval_table_has_every_half_hour_of_the_day_so_far(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = rows(tmp_path, capsys, "intervals")
    voice = [r for r in table if (r["queue"], r["channel"]) == ("billing", "voice")]
    # 00:00 to the half hour under way at 10:10: 21 half hours
    assert len(voice) == 21
    assert voice[0]["start"] == "2026-11-23T00:00:00+01:00"
    by_start = {r["start"][11:16]: r for r in voice}
    nine, half_nine = by_start["09:00"], by_start["09:30"]
    assert (nine["offered"], nine["answered"], nine["abandoned"]) == ("2", "2", "0")
    assert nine["service_level"] == "0.5"  # 8 s within 20 s, 45 s not, of 2 offered
    assert nine["sl_variant"] == "ans≤20s / offered"
    assert (half_nine["offered"], half_nine["abandoned"], half_nine["abandon_rate"]) == (
        "1", "1", "1",
    )  # fmt: skip
    assert by_start["08:00"]["offered"] == "0" and by_start["08:00"]["service_level"] == ""
    assert sum(int(r["offered"]) for r in voice) == 3  # yesterday's call is not today's


def test_abandoned_contacts_of_the_day_say_when_and_how_long(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rows(tmp_path, capsys, "abandoned") == [
        {"site": "oslo", "queue": "billing", "channel": "voice",
         "abandoned_at": "2026-11-23T09:41:10+01:00", "waited_s": "70"},
    ]  # fmt: skip


def test_csv_and_json_are_one_or_the_other(tmp_path: Path) -> None:
    path = write(tmp_path / "day.jsonl", EVENTS)
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(path), "--config", CONFIG, "--csv", "intervals", "--json"])
    assert exit_info.value.code == 2


def test_a_full_list_of_abandoned_contacts_says_how_many_it_leaves_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = [ev for i in range(3)
             for ev in contact(f"gone-{i}", oslo(2026, 11, 23, 9, 50 + i), abandon_s=10 + i)]  # fmt: skip
    path = write(tmp_path / "day.jsonl", [*EVENTS, *later])
    settings = tmp_path / "site.yaml"
    text = Path(CONFIG).read_text(encoding="utf-8")
    settings.write_text(text.replace("engine:\n", "engine:\n  abandoned_list_max: 2\n", 1))
    argv = ["report", str(path), "--config", str(settings), "--csv", "abandoned", "--at", AT]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    listed = list(csv.DictReader(io.StringIO(out)))
    assert [r["waited_s"] for r in listed] == ["11", "12"]  # the two most recent
    assert err == (
        "oslo/billing/voice: 2 earlier abandoned contacts not listed "
        "(engine.abandoned_list_max=2)\n"
    )
