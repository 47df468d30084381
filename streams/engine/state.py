"""All durable engine state as one map of flat keys, with per-key checkpoints and exact replay.

The streaming layer checkpoints the keys changed since the last checkpoint, each stored with the
source offset it includes, and then writes a marker with that offset. A crash can leave a batch
half written: some keys already hold events up to offset B while the marker still says A < B.
On restore those keys are *guarded*: while events (A, B] are replayed, updates to a guarded key
from an event it already includes are undone, so every key ends exactly where it would have been
without the crash. See docs/architecture.md.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import msgspec

Key = tuple[Any, ...]
_MISSING: Any = object()
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


def encode_key(key: Key) -> bytes:
    return _encoder.encode(key)


def decode_key(raw: bytes) -> Key:
    return tuple(_decoder.decode(raw))


class KeyedState:
    """Named tables of keyed values. Values are plain lists/dicts so they survive msgpack as-is."""

    def __init__(self, names: Iterable[str]) -> None:
        self.tables: dict[str, dict[Key, Any]] = {name: {} for name in names}
        self._dirty: set[tuple[str, Key]] = set()
        self._guard: dict[tuple[str, Key], int] = {}
        self._guard_until = -1
        self._preimages: dict[tuple[str, Key], Any] | None = None

    # --- mutation bookkeeping (every writer calls touch before changing a key) ---

    def touch(self, table: str, key: Key) -> None:
        ref = (table, key)
        self._dirty.add(ref)
        pre = self._preimages
        if pre is not None and ref in self._guard and ref not in pre:
            pre[ref] = copy.deepcopy(self.tables[table].get(key, _MISSING))

    def delete(self, table: str, key: Key) -> None:
        self.touch(table, key)
        self.tables[table].pop(key, None)

    # --- guarded replay ---

    def begin_event(self, offset: int) -> None:
        if offset <= self._guard_until:
            self._preimages = {}
        elif self._guard:
            self._guard.clear()

    def end_event(self, offset: int) -> None:
        """Undo updates to keys whose checkpoint already included the event at ``offset``."""
        pre = self._preimages
        if pre is None:
            return
        self._preimages = None
        for ref, value in pre.items():
            if self._guard[ref] >= offset:
                table, key = ref
                if value is _MISSING:
                    self.tables[table].pop(key, None)
                else:
                    self.tables[table][key] = value

    # --- checkpoint I/O ---

    def changes(self, offset: int) -> list[tuple[bytes, bytes | None]]:
        """Encoded (key, value) pairs changed since the last call; None deletes the key."""
        out: list[tuple[bytes, bytes | None]] = []
        for table, key in self._dirty:
            value = self.tables[table].get(key, _MISSING)
            raw_key = encode_key((table, *key))
            out.append((raw_key, None if value is _MISSING else _encoder.encode((offset, value))))
        self._dirty.clear()
        return out

    @property
    def dirty_count(self) -> int:
        return len(self._dirty)

    def load(self, items: Iterable[tuple[bytes, bytes]], committed_offset: int) -> None:
        """Load checkpointed keys; those written after the marker's offset become guarded."""
        for raw_key, raw_value in items:
            table, *rest = decode_key(raw_key)
            key = tuple(rest)
            key_offset, value = _decoder.decode(raw_value)
            self.tables[table][key] = value
            if key_offset > committed_offset:
                self._guard[(table, key)] = key_offset
        self._guard_until = max(self._guard.values(), default=-1)
        self._dirty.clear()
