"""What the worker's health endpoints answer: liveness and readiness with their reasons.

Pure bookkeeping, fed by the runtime and the app's timers; no Faust here.

* live (``/livez``): ingest (each fetch handed to the runtime) has not failed. A failure also
  stops the process (see app.py), so a supervisor restarts it: never a live process that does
  nothing.
* ready (``/readyz``), every condition at once:
  ``partitions`` the worker owns at least one source partition;
  ``broker``     the broker answered an offsets request within ``ready_broker_within_s``;
  ``lag``        the lag has not grown through the last ``ready_lag_window_s`` (it came back
                 down to where it was at the start of the window at least once, or is zero);
  ``checkpoints`` no checkpoint has been failing for longer than ``ready_checkpoint_within_s``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from floorboard.streams.worker.settings import WorkerSettings

CONDITIONS: tuple[str, ...] = ("partitions", "broker", "lag", "checkpoints")


class Health:
    def __init__(self, worker: WorkerSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.worker = worker
        self.clock = clock
        self.started = clock()
        self.ingest_failure: str | None = None
        self.broker_answered_at: float | None = None
        self.checkpoint_failing_since: float | None = None
        self._lag: deque[tuple[float, int]] = deque()  # (time, total lag) samples

    # --- what happened ---

    def broker_answered(self) -> None:
        self.broker_answered_at = self.clock()

    def checkpoint_result(self, ok: bool) -> None:
        if ok:
            self.checkpoint_failing_since = None
        elif self.checkpoint_failing_since is None:
            self.checkpoint_failing_since = self.clock()

    def observe_lag(self, total: int) -> None:
        now = self.clock()
        self._lag.append((now, total))
        window = self.worker.ready_lag_window_s
        # Keep one sample from before the window: the level the window started at.
        while len(self._lag) > 1 and self._lag[1][0] <= now - window:
            self._lag.popleft()

    def ingest_failed(self, reason: str) -> None:
        self.ingest_failure = reason

    # --- what it means ---

    def live(self) -> str | None:
        """None when live, else the reason."""
        if self.ingest_failure is not None:
            return f"ingest loop failed: {self.ingest_failure}"
        return None

    def conditions(self, owned: int) -> dict[str, str | None]:
        """Each readiness condition: None when met, else the reason it is not."""
        now = self.clock()
        w = self.worker
        out: dict[str, str | None] = dict.fromkeys(CONDITIONS)
        if owned == 0:
            out["partitions"] = "owns no source partition"
        answered = self.broker_answered_at
        if answered is None or now - answered > w.ready_broker_within_s:
            since = "ever" if answered is None else f"{now - answered:.0f} s"
            out["broker"] = (
                f"no answer from the broker for {since} (limit {w.ready_broker_within_s:g} s)"
            )
        growing = self._lag_growth()
        if growing is not None:
            out["lag"] = (
                f"lag grew from {growing[0]} to {growing[1]} over {w.ready_lag_window_s:g} s "
                "without coming back down"
            )
        failing = self.checkpoint_failing_since
        if failing is not None and now - failing > w.ready_checkpoint_within_s:
            out["checkpoints"] = f"checkpoints failing for {now - failing:.0f} s"
        return out

    def _lag_growth(self) -> tuple[int, int] | None:
        """(start, now) when the lag grew through a whole window, else None."""
        if len(self._lag) < 2:
            return None
        (first_t, first), (last_t, last) = self._lag[0], self._lag[-1]
        if last_t - first_t < self.worker.ready_lag_window_s or last <= first:
            return None
        if min(total for _, total in list(self._lag)[1:]) <= first:
            return None
        return first, last
