"""The simulate and replay commands: files, pacing, the offline report, and a real Kafka topic."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

import orjson
import pytest
from aiokafka import TopicPartition

from floorboard.cli import main
from floorboard.config import EXAMPLE_CONFIG
from floorboard.engine.views import figures, merge
from floorboard.events.codec import decode_record, encode
from floorboard.events.model import AgentState, ContactOffered, partition_key
from floorboard.report.build import build_report
from floorboard.simulator import cli
from floorboard.simulator.emit import paced
from floorboard.simulator.feed import Record
from floorboard.simulator.replay import UNREADABLE_KEY, read_records
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.readback import read_to_end, reader
from tests.simulator.helpers import example

CONFIG = str(EXAMPLE_CONFIG)
ARGS = ["simulate", "--config", CONFIG, "--start", "2026-11-23T09:00", "--duration", "30m"]
ARGS += ["--seed", "4"]
NINE_OSLO = 1795420800000  # 2026-11-23 09:00 Europe/Oslo


def test_simulate_to_file_is_deterministic(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert main([*ARGS, "--out", str(a)]) == 0
    assert main([*ARGS, "--out", str(b)]) == 0
    assert main([*ARGS[:-1], "5", "--out", str(c)]) == 0
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    lines = a.read_bytes().splitlines()
    assert len(lines) > 500
    decoded = [decode_record(line) for line in lines]
    assert all(bad == [] and len(good) == 1 for good, bad in decoded)
    first = decoded[0][0][0]
    assert NINE_OSLO <= first.ts < NINE_OSLO + 60_000  # --start is Oslo local time


def test_a_simulated_day_through_the_offline_report(tmp_path: Path) -> None:
    day = tmp_path / "day.jsonl"
    args = ["simulate", "--config", CONFIG, "--start", "2026-11-23T07:00", "--duration", "10h"]
    assert main([*args, "--out", str(day)]) == 0
    report = build_report(day, example())
    assert report.bad_lines == []
    assert set(report.outcomes) == {"applied"}
    views = merge(report.records)
    layout = report.engine.layout
    served = {(q, c) for q, s in example().sites["oslo"].queues.items() for c in s.channels}
    assert {(q, c) for (_, q, c) in views.queues} == served
    for key, queue in views.queues.items():
        figs = figures(queue.windows["today"], example(), layout, key)
        assert figs["offered"].value is not None and figs["offered"].value > 50, key
        assert figs["aht_s"].value is not None and 120 < figs["aht_s"].value < 900, key
    site = figures(views.site_windows("oslo")["today"], example(), layout)
    assert site["service_level"].value is not None and 0.6 < site["service_level"].value < 1
    assert site["csat_mean"].value is not None and 3.5 < site["csat_mean"].value < 4.7


def test_outage_minutes_hold_back_any_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is sent for ten minutes an hour in; the held events then go out together.

    (In a file the order stays the same: the outage shows in the send times, i.e. in pacing.)
    """
    sent: list[Record] = []

    def capture(recs: Iterable[Record], *_context: object) -> int:
        sent.extend(recs)
        return len(sent)

    monkeypatch.setattr(cli, "deliver", capture)
    args = [*ARGS[:6], "90m", *ARGS[7:]]
    assert main([*args, "--outage-minutes", "10"]) == 0
    begin, end = NINE_OSLO + 60 * 60_000, NINE_OSLO + 70 * 60_000
    assert not [r for r in sent if begin <= r.send_ms < end]
    held = [r for r in sent if begin <= orjson.loads(r.value)["ts"] < end]
    assert len(held) > 20 and len({r.send_ms for r in held}) == 1 and held[0].send_ms >= end
    everything = len(sent)
    sent.clear()
    assert main(args) == 0  # without the flag the normal scenario has no outage
    assert len(sent) == everything
    assert all(r.send_ms == orjson.loads(r.value)["ts"] for r in sent)


def test_pacing_keeps_gaps_scaled_by_speed() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    recs = [Record("k", b"{}", ms) for ms in (0, 0, 60_000, 120_000, 120_500)]
    batches = list(paced(recs, 60.0, 0, clock=lambda: now[0], sleep=sleep))
    assert [len(b) for b in batches] == [2, 1, 2]  # the last two are 0.5 s apart: 8 ms at 60×
    assert slept == pytest.approx([1.0, 1.0])
    assert list(paced(recs, None, 0, clock=lambda: 0.0, sleep=sleep)) == [recs]


def test_replay_reemits_the_file(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    recorded = tmp_path / "day.jsonl"
    assert main([*ARGS, "--out", str(recorded)]) == 0
    capfd.readouterr()
    assert main(["replay", str(recorded), "--speed", "max"]) == 0
    assert capfd.readouterr().out.encode() == recorded.read_bytes()
    assert main(["replay", str(tmp_path / "missing.jsonl")]) == 2


def test_replay_times_records_by_their_events(tmp_path: Path) -> None:
    recorded = tmp_path / "mixed.jsonl"
    assert main([*ARGS, "--out", str(recorded)]) == 0
    good = recorded.read_bytes().splitlines()[:3]
    events = [decode_record(line)[0][0] for line in good]
    late = orjson.dumps({**orjson.loads(good[1]), "id": "late", "ts": events[0].ts - 3_600_000})
    lines = [b"{not json", good[0], late, b"[" + good[1] + b"," + good[2] + b"]"]
    recorded.write_bytes(b"\n".join(lines) + b"\n\n")
    recs = list(read_records(recorded))
    assert [r.value for r in recs] == lines  # byte for byte, bad lines included
    assert [r.key for r in recs] == [
        UNREADABLE_KEY, partition_key(events[0]), partition_key(events[1]),
        partition_key(events[1]),
    ]  # fmt: skip
    # untimed line: with the first timed one; a late event never sends the replay backwards
    assert [r.send_ms for r in recs] == [events[0].ts, events[0].ts, events[0].ts, events[1].ts]


async def read_topic(bootstrap: str, topic: str) -> list[tuple[bytes, bytes]]:
    """Every (key, value) of a topic, partition by partition."""
    consumer = reader(KafkaConnection(bootstrap))
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        assert parts, f"topic {topic} has no partitions"
        start = {TopicPartition(topic, p): 0 for p in parts}
        return [(r.key, r.value) async for batch in read_to_end(consumer, start) for r in batch]
    finally:
        await consumer.stop()


def test_simulate_into_kafka_in_batches(broker: EmbeddedBroker, tmp_path: Path) -> None:
    recorded = tmp_path / "day.jsonl"
    assert main([*ARGS, "--out", str(recorded)]) == 0
    expected = sorted(recorded.read_bytes().splitlines())
    topic = "sim-batches"
    assert main([*ARGS, "--bootstrap", broker.bootstrap, "--topic", topic, "--batch", "25"]) == 0
    got: list[bytes] = []
    arrays = 0
    for key, value in asyncio.run(read_topic(broker.bootstrap, topic)):
        events, bad = decode_record(value)
        assert bad == [] and 1 <= len(events) <= 25
        assert value.startswith(b"[")  # --batch sends arrays
        assert {partition_key(e).encode() for e in events} == {key}
        arrays += len(events) > 1
        got += [encode(e) for e in events]
    assert sorted(got) == expected
    assert arrays > 50  # events of one contact or team do travel together


def test_replay_into_kafka_keeps_bytes_and_keys(broker: EmbeddedBroker, tmp_path: Path) -> None:
    recorded = tmp_path / "dirty.jsonl"
    assert main([*ARGS, "--scenario", "dirty_feed", "--out", str(recorded)]) == 0
    lines = recorded.read_bytes().splitlines()
    topic = "sim-replay"
    argv = ["replay", str(recorded), "--speed", "max", "--bootstrap", broker.bootstrap]
    assert main([*argv, "--topic", topic]) == 0
    got = asyncio.run(read_topic(broker.bootstrap, topic))
    assert sorted(value for _, value in got) == sorted(lines)  # bad lines too, byte for byte
    unreadable = 0
    for key, value in got:
        events, _ = decode_record(value)
        if events:
            assert key == partition_key(events[0]).encode()
        else:
            assert key == UNREADABLE_KEY.encode()
            unreadable += 1
    assert unreadable > 0  # the dirty feed's malformed lines


def test_scale_grows_agents_and_traffic_together(tmp_path: Path) -> None:
    counts = []
    for scale in ("1", "2.5"):
        out = tmp_path / f"x{scale}.jsonl"
        assert main([*ARGS, "--scale", scale, "--duration", "2h", "--out", str(out)]) == 0
        events = [decode_record(line)[0][0] for line in out.read_bytes().splitlines()]
        agents = {e.agent for e in events if isinstance(e, AgentState)}
        offered = len({e.contact_id for e in events if isinstance(e, ContactOffered)})
        counts.append((len(agents), offered))
    (agents_1, offered_1), (agents_2, offered_2) = counts
    assert agents_2 > 2 * agents_1
    assert 2.0 < offered_2 / offered_1 < 3.0


@pytest.mark.parametrize(
    "bad",
    [["--speed", "0"], ["--speed", "nan"], ["--speed", "fast"], ["--scale", "-1"],
     ["--duration", "8"], ["--batch", "0"], ["--scenario", "chaos"], ["--outage-minutes", "-5"]],
)  # fmt: skip
def test_bad_arguments_are_refused(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*ARGS, *bad])
    assert exit_.value.code == 2
    assert bad[0] in capsys.readouterr().err


def test_bad_start_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--start", "monday morning"]) == 2
    assert "2026-11-23T08:00" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("where", "said"),
    [(["--out", "/nonexistent/x.jsonl"], "--out /nonexistent/x.jsonl: no such directory"),
     (["--bootstrap", "127.0.0.1:1"], "--bootstrap 127.0.0.1:1: cannot reach the broker")],
)  # fmt: skip
def test_an_unusable_output_is_one_line_and_a_failure(
    where: list[str], said: str, capfd: pytest.CaptureFixture[str]
) -> None:
    assert main([*ARGS, *where]) == 1
    err = capfd.readouterr().err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"floorboard simulate: {said}")
    assert "Traceback" not in err


def test_replay_to_an_unusable_output_is_one_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    recording = tmp_path / "day.jsonl"
    assert main([*ARGS, "--out", str(recording)]) == 0
    capfd.readouterr()
    assert main(["replay", str(recording), "--speed", "max", "--out", "/nonexistent/x"]) == 1
    assert capfd.readouterr().err.strip().splitlines() == [
        "floorboard replay: --out /nonexistent/x: no such directory /nonexistent"
    ]


def test_the_config_comes_from_floorboard_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOORBOARD_CONFIG", CONFIG)
    out = tmp_path / "a.jsonl"
    assert (
        main(["simulate", "--start", "2026-11-23T09:00", "--duration", "5m", "--out", str(out)])
        == 0
    )
    assert out.read_bytes()


def test_progress_only_in_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from floorboard.simulator.progress import with_progress

    batches = [[Record("k", b"{}", NINE_OSLO + i * 60_000)] for i in range(5)]
    assert list(with_progress(batches, "simulate", NINE_OSLO, 5 * 60_000)) == batches
    assert capfd.readouterr().err == ""  # not a terminal: nothing
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert list(with_progress(batches, "simulate", NINE_OSLO, 5 * 60_000)) == batches
    assert "simulate" in capfd.readouterr().err


def test_bar_lines_go_to_stdout_and_the_bar_to_the_terminal(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from floorboard.simulator.progress import terminal_bar

    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    with terminal_bar("drain", 10, "{task.completed:.0f} events") as bar:
        bar.print("figure 1")
        bar.update(10)
    out = capfd.readouterr()
    assert out.out == "figure 1\n"  # stdout is a file here: the figures stay out of the bar
    assert "drain" in out.err and "figure" not in out.err
