"""Run every benchmark in turn (``make bench``); each prints its figures and writes JSON to
bench/results/. ``--quick`` runs the small versions the test suite uses."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "bench.validation",
    "bench.engine_throughput",
    "bench.worker_throughput",
    "bench.scale_out",
    "bench.latency",
    "bench.replay",
    "bench.memory",
    "bench.ingest_asterisk",
    "bench.bounds",
    "bench.day_records",
)


def main() -> int:
    extra = sys.argv[1:]
    failed = []
    for module in BENCHMARKS:
        print(f"\n=== {module} {' '.join(extra)}", flush=True)
        if subprocess.run([sys.executable, "-m", module, *extra], check=False).returncode != 0:
            failed.append(module)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
