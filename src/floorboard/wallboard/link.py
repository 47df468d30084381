"""Whether the wallboard can reach the broker, kept apart from how old its data is."""

from __future__ import annotations

import time
from dataclasses import dataclass


def wall_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Link:
    """The reader's connection to the broker: up, or down since when and why."""

    address: str
    up: bool = False
    down_since_ms: int | None = None
    error: str = ""

    def mark_up(self) -> None:
        self.up, self.down_since_ms, self.error = True, None, ""

    def mark_down(self, now_ms: int, error: str) -> None:
        # The first failure dates the outage; retries that fail again keep that date.
        if self.up or self.down_since_ms is None:
            self.down_since_ms = now_ms
        self.up, self.error = False, error
