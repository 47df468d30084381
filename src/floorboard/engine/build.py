"""How this process runs the engine: compiled by mypyc (deploy/compile-engine.sh) or interpreted.

Both give the same results; the compiled engine is faster. Operators see which one a worker runs
in ``floorboard_build_info``'s ``engine`` label.
"""

from __future__ import annotations

from floorboard.engine import engine


def engine_build() -> str:
    """``compiled`` when the engine's modules are extension modules, else ``interpreted``."""
    source = engine.__file__ or ""
    return "interpreted" if source.endswith(".py") else "compiled"
