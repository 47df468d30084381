"""A ``floorboard worker`` child process for benchmarks: start, wait for partitions, read totals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, NamedTuple

from prometheus_client.parser import text_string_to_metric_families

from floorboard.config import RuntimeSettings
from floorboard.simulator.progress import terminal_bar
from floorboard.streams.broker import free_port

ROOT = Path(__file__).resolve().parents[1]
COUNTED = ("applied", "duplicate", "too_late", "unknown_site")


class BenchWorker:
    def __init__(
        self,
        settings: RuntimeSettings,
        config_path: Path,
        workdir: Path,
        app_id: str,
        label: str = "w",
    ) -> None:
        self.port = free_port()
        self.log_path = workdir / f"worker-{label}.log"
        env = {
            **os.environ,
            "FLOORBOARD_BROKER": settings.broker,
            "FLOORBOARD_EVENTS_TOPIC": settings.events_topic,
            "FLOORBOARD_SNAPSHOTS_TOPIC": settings.snapshots_topic,
            "FLOORBOARD_DEADLETTER_TOPIC": settings.deadletter_topic,
            "FLOORBOARD_WORKER_APP_ID": app_id,
            "FLOORBOARD_WORKER_LOG_LEVEL": "warning",
            # The caller's path first: a tree exported for a comparison (docs/benchmarks.md)
            # runs in the worker too, not the one the virtual environment installed.
            "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(ROOT)])),
        }
        cmd = [
            sys.executable,
            "-m",
            "floorboard.cli",
            "worker",
            "--config",
            str(config_path),
            "--web-port",
            str(self.port),
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.launched = time.monotonic()

    def health(self) -> dict[str, Any]:
        if self.process.poll() is not None:
            raise SystemExit(f"worker exited; see {self.log_path}")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
            body: dict[str, Any] = json.loads(response.read())
        return body

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as response:
            return str(response.read().decode())

    def wait_partitions(self, count: int, timeout: float = 120) -> float:
        """Seconds from launch until the worker owns ``count`` partitions."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if len(self.health()["partitions"]) >= count:
                    return time.monotonic() - self.launched
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit(
            f"worker did not own {count} partitions in {timeout:.0f} s; see {self.log_path}"
        )

    def counted(self) -> int:
        """Events handled: engine outcomes plus decode rejections (too-late and unknown-site
        dead letters are engine outcomes already)."""
        totals = self.health()["totals"]
        rejected = sum(int(v) for k, v in totals.items() if k.startswith("dead_letter:"))
        rejected -= int(totals.get("dead_letter:too_late", 0)) + int(
            totals.get("dead_letter:unknown_site", 0)
        )
        return sum(int(totals.get(k, 0)) for k in COUNTED) + rejected

    def drain(self, expected: int, timeout: float = 1800) -> float:
        """Seconds until the worker has handled ``expected`` events, polled every 20 ms; in a
        terminal, with a bar of the events handled."""
        started = time.monotonic()
        counted = 0
        with terminal_bar("worker", expected, "{task.completed:,.0f} events") as bar:
            while counted < expected:
                if time.monotonic() - started > timeout:
                    raise SystemExit(f"only {counted} of {expected} events after {timeout:.0f} s")
                time.sleep(0.02)
                counted = self.counted()
                bar.update(counted)
        return time.monotonic() - started

    def cpu_s(self) -> float:
        """CPU seconds the worker process has used so far (all its threads, user + system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def sample(self, name: str) -> float:
        """The value of one unlabelled sample of ``/metrics`` (0 when absent)."""
        for family in text_string_to_metric_families(self.metrics()):
            for sample in family.samples:
                if sample.name == name and not sample.labels:
                    return float(sample.value)
        return 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class Drain(NamedTuple):
    startup_s: float  # launch until the worker owns every partition
    drain_s: float  # from then until it has handled every event (wall clock)
    cpu_s: float  # CPU time of the worker process over the drain
    snapshot_s: float  # of it, reading partitions for snapshots (the worker's own timing)


SNAPSHOT_SECONDS = "floorboard_worker_snapshot_duration_seconds_sum"


def time_drain(
    settings: RuntimeSettings, config_path: Path, workdir: Path, app_id: str, expected: int
) -> Drain:
    """Start-up, drain and CPU seconds of a fresh worker reading ``expected`` events."""
    worker = BenchWorker(settings, config_path, workdir, app_id)
    try:
        startup = worker.wait_partitions(settings.events_partitions)
        cpu, reads = worker.cpu_s(), worker.sample(SNAPSHOT_SECONDS)
        drain = worker.drain(expected)
        spent = worker.cpu_s() - cpu
        return Drain(startup, drain, spent, worker.sample(SNAPSHOT_SECONDS) - reads)
    finally:
        worker.stop()
