#!/usr/bin/env bash
# Start the servers the test suite needs and print how to reach them.
#
#   eval "$(scripts/test-services.sh)"      # exports INTERLOCK_TEST_PG_DSN, INTERLOCK_TEST_REDIS_URL
#   scripts/test-services.sh stop           # stops the throwaway cluster and Redis
#
# PostgreSQL: installed from Debian's packages if missing, then a throwaway cluster is created in
# a temporary directory (initdb, trust auth, loopback only, a free port) and started as the
# `postgres` user. Nothing outside that directory is touched; the cluster's state file is
# $INTERLOCK_TEST_STATE (default /tmp/interlock-test-services.env).
#
# Redis: installed from Debian's packages if missing, then a throwaway server (no persistence,
# loopback only, a free port) runs from a temporary directory; its state file is
# $INTERLOCK_TEST_REDIS_STATE (default /tmp/interlock-test-redis.env).
set -euo pipefail

STATE=${INTERLOCK_TEST_STATE:-/tmp/interlock-test-services.env}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { echo "test-services: $*" >&2; }

pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

as_postgres() {
    # Run a command as the unprivileged `postgres` user (PostgreSQL refuses to run as root).
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

stop_pg() {
    [ -f "$STATE" ] || return 0
    # shellcheck disable=SC1090
    . "$STATE"
    if [ -n "${PG_DATA:-}" ] && [ -d "$PG_DATA" ]; then
        as_postgres "'$PG_BIN/pg_ctl' -D '$PG_DATA' -m immediate stop" >/dev/null 2>&1 || true
        rm -rf "$(dirname "$PG_DATA")"
    fi
    rm -f "$STATE"
}

# --- Redis -------------------------------------------------------------------------------------
REDIS_STATE=${INTERLOCK_TEST_REDIS_STATE:-/tmp/interlock-test-redis.env}

stop_redis() {
    [ -f "$REDIS_STATE" ] || return 0
    # shellcheck disable=SC1090
    . "$REDIS_STATE"
    if [ -n "${REDIS_PID:-}" ]; then
        kill "$REDIS_PID" 2>/dev/null || true
    fi
    if [ -n "${REDIS_DIR:-}" ] && [ -d "$REDIS_DIR" ]; then
        rm -rf "$REDIS_DIR"
    fi
    rm -f "$REDIS_STATE"
}

start_redis() {
    if [ -f "$REDIS_STATE" ]; then
        # shellcheck disable=SC1090
        . "$REDIS_STATE"
        if [ -n "${REDIS_PORT:-}" ] \
            && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
            echo "export INTERLOCK_TEST_REDIS_URL='$REDIS_URL'"
            return 0
        fi
        stop_redis
    fi
    if ! command -v redis-server >/dev/null 2>&1; then
        log "installing redis-server from Debian's packages"
        $SUDO apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            redis-server >&2
    fi
    local port dir url
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    dir=$(mktemp -d /tmp/interlock-redis.XXXXXX)
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
    for _ in $(seq 1 100); do
        redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break
        sleep 0.1
    done
    url="redis://127.0.0.1:$port/0"
    {
        echo "REDIS_PID='$(cat "$dir/redis.pid")'"
        echo "REDIS_DIR='$dir'"
        echo "REDIS_PORT='$port'"
        echo "REDIS_URL='$url'"
    } >"$REDIS_STATE"
    log "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$port (dir: $dir)"
    echo "export INTERLOCK_TEST_REDIS_URL='$url'"
}

# --- Chromium (the console's browser tests drive Debian's chromium through Playwright) --------
install_chromium() {
    [ -x /usr/bin/chromium ] && return 0
    log "installing chromium from Debian's packages"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        chromium >&2
}

# --- nginx (the cluster tests put it in front of three gateways: tests/cluster) ---------------
install_nginx() {
    { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } && return 0
    log "installing nginx from Debian's packages"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        nginx >&2
}

# --- libhs (Hyperscan's library: the DLP C module scans with it where present, tests/dlp/test_libhs.py
# compares it with the Python binding; without it the binding scans) --------------------------
install_libhs() {
    case "$(/sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null || true)" in
        *"libhs.so.5 "*) return 0 ;;
    esac
    log "installing libhyperscan5 from Debian's packages"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        libhyperscan5 >&2 || log "libhyperscan5 not installed: DLP scans through the binding"
}

if [ "${1:-start}" = "stop" ]; then
    stop_pg
    stop_redis
    exit 0
fi

start_redis
install_chromium
install_nginx
install_libhs

# --- already running? reuse it -------------------------------------------------------------
if [ -f "$STATE" ]; then
    # shellcheck disable=SC1090
    . "$STATE"
    if [ -n "${PG_PORT:-}" ] && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
        echo "export INTERLOCK_TEST_PG_DSN='$PG_DSN'"
        exit 0
    fi
    stop_pg
fi

# --- install ---------------------------------------------------------------------------------
if ! BIN=$(pg_bindir); then
    log "installing postgresql from Debian's packages"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        postgresql >&2
    BIN=$(pg_bindir)
fi
id postgres >/dev/null 2>&1 || $SUDO useradd --system --home /var/lib/postgresql postgres >&2

# --- a throwaway cluster on a free loopback port ----------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ROOT=$(mktemp -d /tmp/interlock-pg.XXXXXX)
DATA="$ROOT/data"
chmod 755 "$ROOT"
chown postgres "$ROOT" 2>/dev/null || true
as_postgres "'$BIN/initdb' -D '$DATA' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null" \
    || as_postgres "'$BIN/initdb' -D '$DATA' -U postgres --auth=trust -E UTF8 --no-locale >/dev/null"
# Tests create and drop many small databases: make that quick, and never wait for the disk.
cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$ROOT'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
as_postgres "'$BIN/pg_ctl' -D '$DATA' -l '$ROOT/postgres.log' -w -t 60 start >/dev/null"

DSN="postgresql://postgres@127.0.0.1:$PORT/postgres"
cat >"$STATE" <<EOF
PG_BIN='$BIN'
PG_DATA='$DATA'
PG_PORT='$PORT'
PG_DSN='$DSN'
EOF
log "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data: $DATA)"
echo "export INTERLOCK_TEST_PG_DSN='$DSN'"
