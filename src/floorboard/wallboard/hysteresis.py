"""Colour hysteresis: a tile changes colour only after its new status holds for a few refreshes.

Without it a figure hovering at its target flips green/amber every second, and a flickering
board teaches people to ignore it. An unknown status (no data) is shown at once.
"""

from __future__ import annotations

from floorboard.engine.kpis import Status


class StatusSmoother:
    def __init__(self, hold: int = 3) -> None:
        self.hold = hold
        self._shown: dict[str, Status] = {}
        self._pending: dict[str, tuple[Status, int]] = {}

    def update(self, key: str, status: Status) -> Status:
        shown = self._shown.get(key)
        if shown is None or status is Status.UNKNOWN or shown is Status.UNKNOWN:
            self._shown[key] = status
            self._pending.pop(key, None)
            return status
        if status is shown:
            self._pending.pop(key, None)
            return shown
        candidate, seen = self._pending.get(key, (status, 0))
        seen = seen + 1 if candidate is status else 1
        if seen >= self.hold:
            self._shown[key] = status
            self._pending.pop(key, None)
            return status
        self._pending[key] = (status, seen)
        return shown
