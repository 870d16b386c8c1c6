#!/usr/bin/env bash
# Installs the pinned environment from uv.lock into .venv (idempotent, fast when up to date).
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}"
fi
uv sync --frozen --all-groups --python python3 --quiet
