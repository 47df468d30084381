"""Instructions an event in the engine, counted by valgrind (cachegrind), for this checkout's build
and the pure-Python one: a figure that, unlike a rate, does not move with the machine's load.

Each count is a child process under cachegrind that decodes the events, builds an engine and
applies them, less one that does the same without applying: the difference is the apply alone.
Hash seeds are fixed, so a count repeats to the instruction.

    python -m bench.engine_instructions [--events 30000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import msgspec

from bench.compiled_engine import pure_copy
from bench.workload import config, day_events, report
from floorboard.engine.build import engine_build
from floorboard.engine.engine import Engine
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.events.codec import decode_record

ROOT = Path(__file__).resolve().parents[1]
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def child(records_file: Path, apply: bool) -> NoReturn:
    """Decode the records, build an engine and, with ``apply``, apply them; then exit at once, so
    the state's teardown is not counted."""
    records = msgspec.msgpack.decode(records_file.read_bytes(), type=list[bytes])
    events = [event for raw in records for event in decode_record(raw)[0]]
    tune_for_engine()  # the policy the worker runs with
    engine = Engine(config())
    if apply:
        for event in events:
            engine.apply(event)
    sys.stdout.flush()
    os._exit(0)


def count(valgrind: str, records_file: Path, apply: bool, pythonpath: str | None) -> int:
    """Instructions of one child run under cachegrind."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    mode = "--apply" if apply else "--load"
    done = subprocess.run(
        [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-m", "bench.engine_instructions", mode, str(records_file)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = _REFS.search(done.stderr)
    if found is None:
        raise SystemExit(f"engine_instructions: no instruction count from valgrind: {done.stderr}")
    return int(found.group(1).replace(",", ""))


def per_event(valgrind: str, records_file: Path, events: int, pythonpath: str | None) -> int:
    applied = count(valgrind, records_file, True, pythonpath)
    loaded = count(valgrind, records_file, False, pythonpath)
    return round((applied - loaded) / events)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument(
        "--quick", action="store_true", help="a small run of this build only (the test suite)"
    )
    parser.add_argument("--apply", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.apply or args.load:
        child(args.apply or args.load, apply=args.apply is not None)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("engine_instructions: valgrind is not installed (Debian package valgrind)")
    n = 2_000 if args.quick else args.events
    result: dict[str, object] = {
        "benchmark": "engine_instructions",
        "events": n,
        "this_checkout": engine_build(),
    }
    with tempfile.TemporaryDirectory(prefix="floorboard-instructions-") as tmp:
        records_file = Path(tmp) / "records"
        records_file.write_bytes(msgspec.msgpack.encode(day_events(agents=1000, limit=n)))
        mine = per_event(valgrind, records_file, n, None)
        result["this_checkout_instructions_per_event"] = mine
        if not args.quick:
            pure = str(pure_copy(Path(tmp) / "pure"))
            interpreted = per_event(valgrind, records_file, n, pure)
            result["interpreted_instructions_per_event"] = interpreted
            result["ratio"] = round(mine / interpreted, 3)
    report(result)


if __name__ == "__main__":
    main()
