"""The compiled engine against the pure-Python one, in one run: ``bench.engine_throughput`` in
child processes, alternated, one importing this checkout's package (compiled by
``deploy/compile-engine.sh`` where a C compiler exists) and one a copy of the package without its
extension modules, as on a machine without a C compiler.

    python -m bench.compiled_engine [--events 300000] [--pairs 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import floorboard
from bench.workload import report
from floorboard.engine.build import engine_build

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("engine_events_per_s", "engine_events_per_cpu_s", "us_handlers")


def pure_copy(dest: Path) -> Path:
    """A copy of the floorboard package without extension modules under ``dest``; put ``dest``
    first on PYTHONPATH and every module of it runs interpreted."""
    package = Path(floorboard.__file__).parent
    ignore = shutil.ignore_patterns("__pycache__", *(f"*{suffix}" for suffix in EXTENSION_SUFFIXES))
    shutil.copytree(package, dest / "floorboard", ignore=ignore)
    return dest


def throughput(size: list[str], pythonpath: str | None, out: Path) -> dict[str, float]:
    """``bench.engine_throughput``'s results, run in a child process."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    subprocess.run(
        [sys.executable, "-m", "bench.engine_throughput", "--out", str(out), *size],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(out.read_text())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a small run (the test suite)")
    args = parser.parse_args()
    size = ["--quick"] if args.quick else ["--events", str(args.events)]
    pairs = 1 if args.quick else args.pairs
    runs: dict[str, list[dict[str, float]]] = {"interpreted": [], "this_checkout": []}
    with tempfile.TemporaryDirectory(prefix="floorboard-pure-") as tmp:
        pure = str(pure_copy(Path(tmp)))
        out = Path(tmp) / "engine_throughput.json"
        for _ in range(pairs):  # alternated, so drift on the machine hits both alike
            runs["interpreted"].append(throughput(size, pure, out))
            runs["this_checkout"].append(throughput(size, None, out))
    result: dict[str, object] = {
        "benchmark": "compiled_engine",
        "events": int(runs["this_checkout"][0]["events"]),
        "this_checkout": engine_build(),
    }
    for label, measured in runs.items():
        for name in FIGURES:
            result[f"{label}_{name}"] = [m[name] for m in measured]
    median = {
        label: statistics.median(m["engine_events_per_cpu_s"] for m in measured)
        for label, measured in runs.items()
    }
    result["ratio_per_cpu_s"] = round(median["this_checkout"] / median["interpreted"], 3)
    report(result)


if __name__ == "__main__":
    main()
