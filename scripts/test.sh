#!/usr/bin/env bash
# `make test`: set up everything the suite needs on a fresh machine, then run all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ -x scripts/test-services.sh ]; then
  # Real PostgreSQL (and later Redis) servers on loopback; exports their DSNs.
  eval "$(scripts/test-services.sh)"
fi
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/python -m pytest "$@"
