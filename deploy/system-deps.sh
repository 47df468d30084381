#!/usr/bin/env bash
# Installs the Debian tools the system tests drive (promtool, amtool, prometheus, tmux, chromium),
# the C compiler the engine's build needs and valgrind, which a benchmark counts instructions with.
# Only under CI=true: on a developer machine the tests that need them skip with a reason instead.
set -euo pipefail
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v tmux >/dev/null || need+=(tmux)
command -v chromium >/dev/null || need+=(chromium)
command -v gcc >/dev/null || need+=(gcc)  # the engine's build (deploy/compile-engine.sh)
command -v valgrind >/dev/null || need+=(valgrind)  # bench.engine_instructions counts with it
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "${CI:-}" != "true" ]; then
  echo "system-deps: missing ${need[*]}; tests that need them will skip (set CI=true to install)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Debian starts a package's service on install. The tests run their own instances, so no service
# may start during this install (policy-rc.d exit 101): nothing is left running, nothing to stop.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
