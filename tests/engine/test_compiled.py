"""The engine compiled by mypyc (``deploy/compile-engine.sh``, run by ``make test``) and its
pure-Python fallback: the suite runs whichever this checkout has, which under CI=true must be the
compiled one; the fallback runs the engine tests again on a copy of the package without its
extension modules."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import floorboard.engine
from bench.compiled_engine import pure_copy
from floorboard.engine.build import engine_build
from tests.helpers import skip_or_fail_in_ci

ROOT = Path(__file__).resolve().parents[2]
ENGINE = Path(floorboard.engine.__file__).parent
TYPED_AGAINST = (ENGINE, ENGINE.parent / "config", ENGINE.parent / "events")
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")
# The modules every event goes through: compiled. Reads: interpreted, so that the interpreter can
# hand the GIL to the consumer thread during a read (deploy/compile-engine.sh).
HOT_PATH = ("engine", "agents", "cells", "marked", "attribution", "live", "expiry", "abandons")
READS = ("read", "views", "window_sums")


def extensions() -> dict[str, Path]:
    """Engine modules with an extension module beside their source, by name."""
    found = {}
    for path in ENGINE.iterdir():
        for suffix in EXTENSION_SUFFIXES:  # the longest first: ".cpython-311-….so", then ".so"
            if path.name.endswith(suffix):
                found[path.name.removesuffix(suffix)] = path
                break
    return found


def compiled_or_skip() -> dict[str, Path]:
    found = extensions()
    if not found:
        skip_or_fail_in_ci(
            "the compiled engine",
            "the engine is not compiled here (no C compiler, or deploy/compile-engine.sh not run)",
        )
    return found


def test_the_hot_path_runs_compiled_from_current_sources() -> None:
    found = compiled_or_skip()
    assert engine_build() == "compiled"
    assert set(HOT_PATH) <= set(found)
    assert not set(READS) & set(found)
    orphans = [name for name in found if not (ENGINE / f"{name}.py").exists()]
    assert not orphans, f"compiled modules without a source: {orphans}; run make clean"
    for name, path in found.items():
        assert importlib.import_module(f"floorboard.engine.{name}").__file__ == str(path)
    # Compiled against the engine's sources and the types it uses (config, events): a build older
    # than any of them may differ from them.
    newest = max(path.stat().st_mtime for package in TYPED_AGAINST for path in package.glob("*.py"))
    stale = sorted(name for name, path in found.items() if path.stat().st_mtime < newest)
    assert not stale, f"built before a source changed: {stale}; run deploy/compile-engine.sh"


def test_the_pure_python_fallback_passes_the_engine_tests(tmp_path: Path) -> None:
    compiled_or_skip()  # without extensions the whole suite already runs the fallback
    path = [str(pure_copy(tmp_path)), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    probe = subprocess.run(
        [sys.executable, "-c", "from floorboard.engine.build import engine_build as b; print(b())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "interpreted"
    run = subprocess.run(
        [*PYTEST, "tests/engine", "--ignore", "tests/engine/test_compiled.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,  # within pytest's own limit for a test (300 s)
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.splitlines()[-1]
