#!/usr/bin/env bash
# Installs the Debian tools the system tests drive (promtool, amtool, prometheus, tmux).
# Only under CI=true: on a developer machine the tests that need them skip with a reason instead.
set -euo pipefail
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v tmux >/dev/null || need+=(tmux)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "${CI:-}" != "true" ]; then
  echo "system-deps: missing ${need[*]}; tests that need them will skip (set CI=true to install)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian packages start services on install; the tests run their own instances.
for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
  (systemctl stop "$svc" || service "$svc" stop || pkill -x "${svc#prometheus-}" ) >/dev/null 2>&1 || true
done
