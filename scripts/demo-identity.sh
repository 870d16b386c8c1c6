#!/usr/bin/env bash
# Creates a demo team, application, workload identity, binding and API key in the database of
# the given configuration, once; prints the key. The key file is the only plaintext copy.
#   scripts/demo-identity.sh CONFIG KEY_FILE
set -euo pipefail
config=$1 key_file=$2
here="$(cd "$(dirname "$0")/.." && pwd)"
interlock="$here/.venv/bin/interlock"
if [ -s "$key_file" ]; then
  cat "$key_file"
  exit 0
fi
mkdir -p "$(dirname "$key_file")"
"$interlock" teams create --config "$config" demo --name "Demo team" >/dev/null
"$interlock" apps create --config "$config" demo-app --team demo >/dev/null
"$interlock" identities create --config "$config" demo-user --team demo >/dev/null
"$interlock" bindings create --config "$config" --team demo --app demo-app --policy everything >/dev/null
umask 077
"$interlock" keys create --config "$config" --identity demo-user --app demo-app 2>/dev/null \
  | "$here/.venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["key"])' >"$key_file"
cat "$key_file"
