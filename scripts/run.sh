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
config="${INTERLOCK_CONFIG:-examples/quickstart.yaml}"
key=$(scripts/demo-identity.sh "$config" .interlock/quickstart.key)
echo "Interlock on http://127.0.0.1:8080 (config: $config, upstream: simulator on $SIMULATOR_URL)"
echo "Demo API key (also in .interlock/quickstart.key): $key"
.venv/bin/interlock serve --config "$config"
