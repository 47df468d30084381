"""Run every benchmark in turn (``make bench``); each prints its figures and writes JSON to
bench/results/. ``--quick`` runs the small versions the test suite uses. In a terminal, a bar on
stderr shows which benchmark runs and for how long."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from floorboard.simulator.progress import terminal_bar

BENCHMARKS = (
    "bench.validation",
    "bench.engine_throughput",
    "bench.compiled_engine",
    "bench.engine_instructions",
    "bench.worker_throughput",
    "bench.scale_out",
    "bench.latency",
    "bench.replay",
    "bench.memory",
    "bench.ingest_asterisk",
    "bench.bounds",
    "bench.agent_read",
    "bench.day_records",
    "bench.checkpoint_volume",
    "bench.record_path",
)


def run(modules: Sequence[str], extra: Sequence[str]) -> int:
    """Run each module with ``extra`` arguments; 1 if any failed."""
    failed = []
    detail = "{task.completed:.0f} of {task.total:.0f} · {task.fields[module]}"
    with terminal_bar("benchmarks", len(modules), detail, module="") as bar:
        for done, module in enumerate(modules):
            bar.update(done, module=module)
            bar.print(f"\n=== {module} {' '.join(extra)}")
            # the output comes through here so that it prints above the bar, never through it
            child = subprocess.Popen(
                [sys.executable, "-m", module, *extra],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            assert child.stdout is not None
            for line in child.stdout:
                bar.print(line.rstrip("\n"))
            if child.wait() != 0:
                failed.append(module)
        bar.update(len(modules), module="done")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run(BENCHMARKS, sys.argv[1:]))
