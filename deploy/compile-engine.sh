#!/usr/bin/env bash
# Compile the engine's apply path with mypyc (the locked mypy in the venv) into extension modules
# next to their sources, which Python imports instead of the .py files: ≈ 10–25 % more events
# per second (docs/benchmarks.md, "Issue 19, eighth round"). `make demo` and `make test` run this.
#
# Without a C compiler, or if the build fails, no extension is left behind and the pure-Python
# engine runs, with the same results. Under CI=true the test suite requires the compiled engine
# (tests/engine/test_compiled.py), so a failed build cannot pass CI unnoticed.
#
# Usage: deploy/compile-engine.sh [VENV_BIN [STAMP]]   (default .venv/bin; STAMP is touched
# only when the build succeeds, so make tries again until it does)
set -euo pipefail
bin=$(cd "${1:-.venv/bin}" && pwd)
stamp=${2:+$(cd "$(dirname "$2")" && pwd)/$(basename "$2")}
cd "$(dirname "$0")/../src"

# The modules every event goes through. Reads stay interpreted: compiled code never reaches the
# interpreter's check for a thread switch, so a compiled read (25–55 ms) would hold the GIL, and
# stall the worker's consumer thread, for all of it (docs/benchmarks.md, eighth round). So do
# state.py, whose KeyedState read.py holds by weak reference, and the modules that define msgspec
# Structs (mypyc mistranslates their field defaults).
modules=()
for name in abandons agents attribution calendar cells engine expiry layout live marked tables week windows
do
    modules+=("floorboard/engine/$name.py")
done

# A whole build each time: an extension kept from an earlier build would carry its old time.
rm -rf build floorboard/engine/*.so ./*__mypyc.*.so
mkdir -p build
log=build/mypyc.log
# The compiler setuptools will call: $CC, else the one Python was built with.
compiler=${CC:-$("$bin/python" -c 'import sysconfig; print(sysconfig.get_config_var("CC") or "cc")')}
if ! command -v "${compiler%% *}" >/dev/null 2>&1; then
    echo "compile-engine: no C compiler (${compiler%% *}); the engine runs as pure Python" >&2
    exit 0
fi
if ! "$bin/mypyc" "${modules[@]}" >"$log" 2>&1; then
    rm -f floorboard/engine/*.so ./*__mypyc.*.so
    echo "compile-engine: mypyc failed (src/$log); the engine runs as pure Python" >&2
    exit 0
fi
echo "compile-engine: ${#modules[@]} engine modules compiled (src/$log)"
if [[ -n $stamp ]]; then touch "$stamp"; fi
