#!/usr/bin/env bash
# Interlock benchmark: direct upstream vs floor proxy vs Interlock vs candidate stacks.
# Usage: bench/run.sh            (BENCH_DURATION=3 bench/run.sh for a quick run)
# See bench/README.md for what is measured and the knobs.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
PY="$REPO/.venv/bin/python"
DURATION=${BENCH_DURATION:-10}
# Hard ceiling for the whole run; each wrk run is also bounded on its own.
TIMEOUT=${BENCH_TIMEOUT:-$((120 + 40 * (DURATION + 3)))}

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# --- tools: nginx (upstream), wrk (load), taskset (pinning) ---
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# --- Python env: the repo venv with the bench group ---
if [ ! -x "$PY" ] || ! "$PY" -c 'import granian, uvicorn, httptools, httpx, psutil, aiohttp, uvloop' \
    >/dev/null 2>&1; then
    command -v uv >/dev/null 2>&1 || { echo "uv is needed to create $REPO/.venv" >&2; exit 1; }
    (cd "$REPO" && uv sync --frozen --all-groups)
fi

# --- run, and make sure nothing we started outlives us ---
TMP=$(mktemp -d "${TMPDIR:-/tmp}/interlock-bench.XXXXXX")
HARNESS_PID=""
cleanup() {
    if [ -n "$HARNESS_PID" ]; then
        # `timeout` made itself leader of a process group holding the harness and every
        # server it started: signal that group (by its id), then make sure it is gone.
        kill -TERM -- "-$HARNESS_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 -- "-$HARNESS_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$HARNESS_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$REPO"
timeout --kill-after=15 "$TIMEOUT" "$PY" "$BENCH_DIR/harness.py" "$TMP" &
HARNESS_PID=$!
rc=0
wait "$HARNESS_PID" || rc=$?
if [ "$rc" -eq 124 ]; then
    echo "benchmark stopped: exceeded BENCH_TIMEOUT=${TIMEOUT}s" >&2
fi
exit "$rc"
