"""Reading a log file line by line, optionally following it across rotation, from a saved position.

The position is (inode, byte offset of the next unread line). Only complete lines are consumed:
a line still being written stays unread until its newline arrives. When the file is rotated
(renamed, a new file created at the path), the old file is read to its end first, its last
unterminated line included, then the new file from its start. After a restart, a saved inode
that is no longer at the path is looked for among the rotated files beside it
(``queue_log.1``, ``queue_log-20261201``, …) and finished first. A file truncated in place
(copytruncate) is read again from its start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Position:
    inode: int
    offset: int


class Tail:
    def __init__(self, path: Path, position: Position | None = None, follow: bool = False) -> None:
        self.path = path
        self.follow = follow
        self._buffer = b""
        self._old = False  # reading a rotated file: the path holds a newer one
        self._handle, self._inode, self._offset = self._open(position)

    @property
    def position(self) -> Position:
        """Where the next unread line starts."""
        return Position(self._inode, self._offset)

    def _open(self, position: Position | None) -> tuple[BinaryIO, int, int]:
        handle = self.path.open("rb")
        inode = os.fstat(handle.fileno()).st_ino
        if position is None:
            return handle, inode, 0
        if position.inode == inode:
            size = os.fstat(handle.fileno()).st_size
            offset = position.offset if position.offset <= size else 0
            handle.seek(offset)
            return handle, inode, offset
        rotated = self._find_rotated(position.inode)
        if rotated is None:
            return handle, inode, 0  # the old file is gone: start the current one
        handle.close()
        old = rotated.open("rb")
        old.seek(position.offset)
        self._old = True
        return old, position.inode, position.offset

    def _find_rotated(self, inode: int) -> Path | None:
        for candidate in sorted(self.path.parent.glob(self.path.name + "*")):
            if candidate != self.path and candidate.is_file() and candidate.stat().st_ino == inode:
                return candidate
        return None

    def lines(self, max_bytes: int = CHUNK) -> list[bytes] | None:
        """Complete lines available now (without line ends); ``[]`` if none yet; ``None`` once a
        file read without ``follow`` is finished."""
        chunk = self._handle.read(max_bytes)
        if chunk:
            data = self._buffer + chunk
            end = data.rfind(b"\n")
            if end < 0:
                self._buffer = data
                return []
            self._buffer = data[end + 1 :]
            complete = data[:end]
            self._offset += end + 1  # the offset is where the buffered bytes start
            return [line.removesuffix(b"\r") for line in complete.split(b"\n")]
        if not self.follow and not self._old:
            return self._finish_file(None)
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            return []  # between rename and create
        if self._old or current.st_ino != self._inode:
            return self._finish_file(current.st_ino)
        if current.st_size < self._offset:  # truncated in place
            self._handle.seek(0)
            self._offset, self._buffer = 0, b""
        return []

    def _finish_file(self, next_inode: int | None) -> list[bytes] | None:
        """The unterminated last line of a finished file, then move on (or stop)."""
        last = self._buffer
        self._offset += len(last)
        self._buffer = b""
        if next_inode is None:
            if last:
                return [last.removesuffix(b"\r")]
            return None
        self._handle.close()
        self._handle = self.path.open("rb")
        self._inode = os.fstat(self._handle.fileno()).st_ino
        self._offset, self._old = 0, False
        return [last.removesuffix(b"\r")] if last else []

    def close(self) -> None:
        self._handle.close()
