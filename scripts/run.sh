#!/usr/bin/env bash
# `make run`: the gateway on the embedded default, with the provider simulator as its upstream.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
SIM_PORT="${SIM_PORT:-9999}"
export SIMULATOR_URL="${SIMULATOR_URL:-http://127.0.0.1:${SIM_PORT}}"
.venv/bin/interlock simulate --port "$SIM_PORT" &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT INT TERM
exec_config="${INTERLOCK_CONFIG:-examples/quickstart.yaml}"
echo "Interlock on http://127.0.0.1:8080 (config: $exec_config, upstream: simulator on $SIMULATOR_URL)"
.venv/bin/interlock serve --config "$exec_config"
