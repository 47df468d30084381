"""All durable engine state as named tables of flat keys, checkpointed by changed key.

A checkpoint is made exact by writing it twice, in this order:

1. one *write-ahead* record holding the whole checkpoint (source offset, watermarks, counters and
   every key changed since the previous checkpoint) — a single record is atomic;
2. the same changed keys into a compacted, keyed state table.

A crash during step 2 leaves the table partly at the new checkpoint and partly at the previous one;
re-applying the last write-ahead record on restore brings every key to the new checkpoint. A crash
during step 1 leaves the previous write-ahead record and a table untouched by the new one. Either
way the restored state is exactly the state at the restored offset. See docs/architecture.md.

Every key and write-ahead record carries the state ``FORMAT`` (tables.py); a restore skips those of
another format, so state written by another version is rebuilt from the source instead of misread.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from floorboard.engine.tables import FORMAT

Key = tuple[Any, ...]
_MISSING: Any = object()
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


def encode_key(key: Key) -> bytes:
    return _encoder.encode(key)


def decode_key(raw: bytes) -> Key:
    return tuple(_decoder.decode(raw))


class Checkpoint(msgspec.Struct, frozen=True):
    """Everything a restore needs beyond the keyed table: write it as one record."""

    offset: int
    watermarks: dict[str, int]
    counters: dict[str, int]
    changes: list[tuple[bytes, bytes | None]]  # None deletes the key
    format: int = FORMAT

    def encode(self) -> bytes:
        return _encoder.encode(self)

    @staticmethod
    def decode(raw: bytes) -> Checkpoint | None:
        """The checkpoint in ``raw``, or None for one of another format (not read)."""
        if msgspec.msgpack.decode(raw, type=_Format).format != FORMAT:
            return None
        return msgspec.msgpack.decode(raw, type=Checkpoint)


class _Format(msgspec.Struct):
    """Just the format of a write-ahead record: ``Checkpoint`` would default a missing one."""

    format: int = 1  # written before checkpoints carried a format


class KeyedState:
    """Named tables of keyed values. Values are plain lists/dicts so they survive msgpack as-is."""

    def __init__(self, names: Iterable[str]) -> None:
        self.tables: dict[str, dict[Key, Any]] = {name: {} for name in names}
        # Changed keys per table; hot paths add to these sets directly.
        self.dirty: dict[str, set[Key]] = {name: set() for name in self.tables}

    def touch(self, table: str, key: Key) -> None:
        """Mark a key changed; every writer calls this before changing a key."""
        self.dirty[table].add(key)

    def delete(self, table: str, key: Key) -> None:
        self.touch(table, key)
        self.tables[table].pop(key, None)

    def delete_all(self, table: str, keys: Iterable[Key]) -> None:
        """``delete`` each key; ``keys`` must not iterate the table itself."""
        dirty, rows = self.dirty[table], self.tables[table]
        for key in keys:
            dirty.add(key)
            rows.pop(key, None)

    @property
    def dirty_count(self) -> int:
        return sum(len(keys) for keys in self.dirty.values())

    def changes(self) -> list[tuple[bytes, bytes | None]]:
        """Encoded (key, value) pairs changed since the last call; None deletes the key."""
        out: list[tuple[bytes, bytes | None]] = []
        for table, keys in self.dirty.items():
            rows = self.tables[table]
            for key in keys:
                value = rows.get(key, _MISSING)
                raw_key = encode_key((FORMAT, table, *key))
                out.append((raw_key, None if value is _MISSING else _encoder.encode(value)))
            keys.clear()
        return out

    def load(self, items: Iterable[tuple[bytes, bytes | None]]) -> None:
        """Apply (key, value) pairs in order; a None value deletes. Keys of another format (left
        over from an older version) are skipped."""
        for raw_key, raw_value in items:
            form, table, *rest = decode_key(raw_key)
            if form != FORMAT:
                continue
            key = tuple(rest)
            if raw_value is None:
                self.tables[table].pop(key, None)
            else:
                self.tables[table][key] = _decoder.decode(raw_value)
        for keys in self.dirty.values():
            keys.clear()
