"""``ingest asterisk`` on files: following across rotation and restarts, bad data, /metrics."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import orjson
import pytest

from floorboard.cli import main
from floorboard.sources.asterisk import AsteriskMapper, AsteriskOptions
from floorboard.sources.output import IngestCounts, JsonlOutput
from floorboard.sources.run import ingest_file
from tests.helpers import free_port

FIXTURES = Path(__file__).parent / "fixtures"
LINES = (FIXTURES / "queue_log").read_bytes().splitlines(keepends=True)
TEAMS = {"PJSIP/201": "red", "PJSIP/202": "red", "PJSIP/301": "blue", "Agent/1001": "blue"}


def far_future() -> float:
    return 4e9  # every wrap-up is over when the adapter is idle


async def run_until(
    log: Path, out: Path, state: Path, counts: IngestCounts, lines_out: int
) -> None:
    """Follow ``log`` until ``out`` holds ``lines_out`` lines, then stop as on SIGTERM."""
    mapper = AsteriskMapper(AsteriskOptions("oslo", TEAMS, "default", 30.0))
    output = JsonlOutput.open(out, None, "asterisk", append=True)
    stop = asyncio.Event()
    task = asyncio.create_task(
        ingest_file("asterisk", log, mapper, output, counts, follow=True, state_path=state,
                    stop=stop, clock=far_future)
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(out.read_bytes().splitlines()) < lines_out:
        assert time.monotonic() < deadline, "the adapter did not catch up"
        assert not task.done(), task.exception()
        await asyncio.sleep(0.05)
    stop.set()
    await task
    await output.close()


async def test_a_restart_across_rotation_neither_loses_nor_repeats(tmp_path: Path) -> None:
    whole = tmp_path / "whole.jsonl"
    argv = [
        "ingest",
        "asterisk",
        str(FIXTURES / "queue_log"),
        "--site",
        "oslo",
        "--teams",
        str(FIXTURES / "teams.yaml"),
        "--wrapup",
        "30",
        "--out",
        str(whole),
    ]
    assert await asyncio.to_thread(main, argv) == 0  # fmt: skip
    expected = Counter(whole.read_bytes().splitlines())
    log, out, state = tmp_path / "queue_log", tmp_path / "out.jsonl", tmp_path / "state.json"
    out.touch()
    counts = IngestCounts()
    log.write_bytes(b"".join(LINES[:30]))
    first = mapped_events(LINES[:30])
    await run_until(log, out, state, counts, first)
    # While the adapter is down: more lines, then logrotate, then the rest in a new file.
    with log.open("ab") as handle:
        handle.write(b"".join(LINES[30:45]))
    log.rename(tmp_path / "queue_log.1")
    log.write_bytes(b"".join(LINES[45:]))
    await run_until(log, out, state, counts, sum(expected.values()))
    got = Counter(out.read_bytes().splitlines())
    assert got == expected
    assert sum(counts.counts.values()) == len(LINES)


def mapped_events(lines: list[bytes]) -> int:
    mapper = AsteriskMapper(AsteriskOptions("oslo", TEAMS, "default", 30.0))
    n = sum(len(mapper.map_raw(raw.rstrip(b"\n")).events) for raw in lines)
    return n + len(mapper.advance(int(far_future() * 1000)))


BAD = [
    b"1795503600|1.1|billing",  # truncated
    b"1795503600|1.1|billing|NONE|ENTERQUEUE||\xff|1",  # not UTF-8
    b"yesterday|1.1|billing|NONE|ENTERQUEUE||1|1",  # bad time
    b"1795503601|1.1|billing|PJSIP/201|CONNECT|soon|1.2|3",  # non-numeric hold time
    b"1795503602|1.1|billing|PJSIP/201|XFERDIAL|1|2",  # a vendor's own event
    b"",
]


def test_bad_lines_are_counted_and_dead_lettered_with_their_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "queue_log"
    good = b"1795503600|1.1|billing|NONE|ENTERQUEUE||1|1"
    log.write_bytes(b"\n".join([good, *BAD, good.replace(b"1.1", b"2.1")]) + b"\n")
    out = tmp_path / "events.jsonl"
    argv = ["ingest", "asterisk", str(log), "--site", "oslo", "--out", str(out)]
    assert main(argv) == 0
    assert len(out.read_bytes().splitlines()) == 2
    dead = [
        orjson.loads(x) for x in (tmp_path / "events.jsonl.deadletter").read_bytes().splitlines()
    ]
    assert [(d["reason"], base64.b64decode(d["raw_base64"])) for d in dead] == [
        ("truncated", BAD[0]), ("bad_encoding", BAD[1]), ("bad_time", BAD[2]),
        ("bad_number", BAD[3]),
    ]  # fmt: skip
    offset = len(good) + 1 + len(BAD[0]) + 1
    assert dead[1]["origin"] == f"{log}@{offset}"
    assert dead[3]["message"] == "CONNECT: could not convert string to float: 'soon'"
    err = capsys.readouterr().err
    assert "ingest asterisk: mapped 2, ignored 2, rejected 4" in err
    assert "asterisk ignored unknown_event: 1" in err
    assert "asterisk ignored blank: 1" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--wrapup", "soon"], "argument --wrapup: a number of seconds, not 'soon'"),
        (
            ["--timezone", "Mars/Olympus"],
            "argument --timezone: not an IANA time zone: 'Mars/Olympus'",
        ),
        (
            ["--metrics", "localhost"],
            "floorboard ingest asterisk: --metrics: HOST:PORT, not 'localhost'",
        ),
        (
            ["--deadletter", "d"],
            "floorboard ingest asterisk: --deadletter: only with --out (Kafka uses the dead-letter topic)",
        ),
        (
            ["--config", "CONFIG", "--site", "bergen"],
            "floorboard ingest asterisk: --site: 'bergen' is not a site of CONFIG",
        ),
    ],
)
def test_bad_arguments_stop_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    from floorboard.config import EXAMPLE_CONFIG

    argv = [str(EXAMPLE_CONFIG) if a == "CONFIG" else a for a in argv]
    message = message.replace("CONFIG", str(EXAMPLE_CONFIG))
    base = ["ingest", "asterisk", str(FIXTURES / "queue_log"), "--site", "oslo"]
    try:
        code = main([*base, *argv])
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(message)


def test_the_follower_serves_its_counts_on_metrics(tmp_path: Path) -> None:
    log, out = tmp_path / "queue_log", tmp_path / "out.jsonl"
    log.write_bytes(b"".join(LINES[:10]) + b"1795503600|x|billing\n")
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "floorboard.cli", "ingest", "asterisk", str(log), "--site", "oslo",
         "--follow", "--out", str(out), "--metrics", f"127.0.0.1:{port}"],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        body = scrape(f"http://127.0.0.1:{port}/metrics", child, lambda b: b"truncated" in b)
    finally:
        child.terminate()
        _, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    assert (
        'floorboard_ingest_records_total{outcome="rejected",reason="truncated",source="asterisk"} 1.0'
        in body
    )
    assert (
        'floorboard_ingest_records_total{outcome="mapped",reason="addmember",source="asterisk"} 3.0'
        in body
    )


def scrape(url: str, child: subprocess.Popen[bytes], ready: object) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body: bytes = response.read()
            if callable(ready) and ready(body):
                return body.decode()
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not show the counts")
