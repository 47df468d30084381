"""Liveness and readiness: each condition fails with its reason and recovers (issue 12, row 8:
/healthz said "ok" with a dead ingest loop, during a broker freeze and before owning anything)."""

from __future__ import annotations

from floorboard.streams.worker.health import CONDITIONS, Health
from floorboard.streams.worker.settings import WorkerSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def health(clock: Clock) -> Health:
    settings = WorkerSettings(
        ready_broker_within_s=15, ready_lag_window_s=60, ready_checkpoint_within_s=30
    )
    return Health(settings, clock)


def unmet(h: Health, owned: int = 2) -> dict[str, str]:
    return {name: reason for name, reason in h.conditions(owned).items() if reason is not None}


def test_ready_only_when_every_condition_holds() -> None:
    clock = Clock()
    h = health(clock)
    assert set(unmet(h, owned=0)) == {"partitions", "broker"}  # before anything happened
    h.broker_answered()
    assert unmet(h) == {}
    assert set(h.conditions(2)) == set(CONDITIONS)


def test_a_broker_that_stops_answering_makes_the_worker_unready() -> None:
    clock = Clock()
    h = health(clock)
    h.broker_answered()
    clock.now += 15
    assert unmet(h) == {}
    clock.now += 1
    assert unmet(h) == {"broker": "no answer from the broker for 16 s (limit 15 s)"}
    h.broker_answered()
    assert unmet(h) == {}


def test_lag_that_only_grows_through_the_window_makes_the_worker_unready() -> None:
    clock = Clock()
    h = health(clock)
    h.broker_answered()
    for second in range(0, 61, 2):  # a stalled consumer: every sample above the first
        clock.now = 1000.0 + second
        h.observe_lag(100 + 10 * second)
        h.broker_answered()
    assert unmet(h) == {"lag": "lag grew from 100 to 700 over 60 s without coming back down"}
    clock.now += 2
    h.observe_lag(50)  # caught up below the window's start level: ready again
    assert unmet(h) == {}


def test_busy_lag_that_comes_back_down_is_ready() -> None:
    clock = Clock()
    h = health(clock)
    for second in range(0, 121, 2):  # bursts: up and back down to the start level
        clock.now = 1000.0 + second
        h.observe_lag(500 if second % 20 else 100)
        h.broker_answered()
    assert unmet(h) == {}


def test_checkpoints_failing_longer_than_the_limit() -> None:
    clock = Clock()
    h = health(clock)
    h.broker_answered()
    h.checkpoint_result(ok=False)
    clock.now += 20
    h.checkpoint_result(ok=False)  # the failing streak started 20 s ago, within the limit
    h.broker_answered()
    assert unmet(h) == {}
    clock.now += 11
    h.broker_answered()
    assert unmet(h) == {"checkpoints": "checkpoints failing for 31 s"}
    h.checkpoint_result(ok=True)
    assert unmet(h) == {}


def test_a_failed_ingest_loop_is_not_live() -> None:
    h = health(Clock())
    assert h.live() is None
    h.ingest_failed("TypeError('Recursion limit reached')")
    assert h.live() == "ingest loop failed: TypeError('Recursion limit reached')"
