#!/usr/bin/env bash
# Compile the engine's modules with mypyc (the locked mypy in the venv) into extension modules
# next to their sources, which Python imports instead of the .py files: ≈ 20 % more events per
# second (docs/benchmarks.md, "Issue 19, eighth round"). `make demo` and `make test` run this.
#
# Without a C compiler, or if the build fails, no extension is left behind and the pure-Python
# engine runs, with the same results. Under CI=true the test suite requires the compiled engine
# (tests/engine/test_compiled.py), so a failed build cannot pass CI unnoticed.
#
# Usage: deploy/compile-engine.sh [VENV_BIN]   (default .venv/bin)
set -euo pipefail
bin=$(cd "${1:-.venv/bin}" && pwd)
cd "$(dirname "$0")/../src"

# Interpreted: the package's __init__, and the modules that define msgspec Structs (mypyc
# mistranslates their field defaults). read.py keeps its caches by weak reference to state.py's
# KeyedState, which a compiled class would not take.
pure="__init__ kpis snapshot state"
modules=()
for path in floorboard/engine/*.py; do
    name=$(basename "$path" .py)
    [[ " $pure " == *" $name "* ]] || modules+=("$path")
done

# A whole build each time: an extension kept from an earlier build would carry its old time.
rm -rf build floorboard/engine/*.so ./*__mypyc.*.so
mkdir -p build
log=build/mypyc.log
if ! command -v cc >/dev/null 2>&1; then
    echo "compile-engine: no C compiler (cc); the engine runs as pure Python" >&2
    exit 0
fi
if ! "$bin/mypyc" "${modules[@]}" >"$log" 2>&1; then
    rm -f floorboard/engine/*.so ./*__mypyc.*.so
    echo "compile-engine: mypyc failed (src/$log); the engine runs as pure Python" >&2
    exit 0
fi
echo "compile-engine: ${#modules[@]} engine modules compiled (src/$log)"
