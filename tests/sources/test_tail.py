"""Following a log file: complete lines only, rotation, truncation, and resuming a position."""

from __future__ import annotations

import os
from pathlib import Path

from floorboard.sources.tail import Position, Tail


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


def test_a_file_read_once_ends_with_its_unterminated_line(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"a\r\nb\nc")
    tail = Tail(log)
    assert tail.lines() == [b"a", b"b"]
    assert tail.lines() == [b"c"]
    assert tail.lines() is None
    assert tail.position == Position(os.stat(log).st_ino, 6)


def test_following_waits_for_the_newline(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"one\ntw")
    tail = Tail(log, follow=True)
    assert tail.lines() == [b"one"]
    assert tail.position.offset == 4
    assert tail.lines() == []
    append(log, b"o\nthree\n")
    assert tail.lines() == [b"two", b"three"]
    assert tail.position.offset == len(b"one\ntwo\nthree\n")


def test_rotation_finishes_the_old_file_then_reads_the_new(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"1\n")
    tail = Tail(log, follow=True)
    assert tail.lines() == [b"1"]
    append(log, b"2\n3")  # written before the rename, '3' without its newline
    log.rename(tmp_path / "queue_log.1")
    log.write_bytes(b"4\n")
    assert tail.lines() == [b"2"]
    assert tail.lines() == [b"3"]
    assert tail.lines() == [b"4"]
    assert tail.position == Position(os.stat(log).st_ino, 2)


def test_a_truncated_file_is_read_from_its_start(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"old line\n")
    tail = Tail(log, follow=True)
    assert tail.lines() == [b"old line"]
    log.write_bytes(b"")  # copytruncate
    assert tail.lines() == []
    append(log, b"new\n")
    assert tail.lines() == [b"new"]


def test_resuming_a_position_in_the_same_file(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"1\n2\n")
    first = Tail(log, follow=True)
    assert first.lines() == [b"1", b"2"]
    saved = first.position
    first.close()
    append(log, b"3\n")
    assert Tail(log, saved, follow=True).lines() == [b"3"]


def test_resuming_after_a_rotation_while_stopped(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"1\n")
    first = Tail(log, follow=True)
    assert first.lines() == [b"1"]
    saved = first.position
    first.close()
    append(log, b"2\n")
    log.rename(tmp_path / "queue_log-20261124")
    log.write_bytes(b"3\n")
    tail = Tail(log, saved, follow=True)
    assert tail.lines() == [b"2"]
    assert tail.lines() == []  # the rotated file is finished: on to the new one
    assert tail.lines() == [b"3"]
