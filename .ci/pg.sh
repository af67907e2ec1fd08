#!/usr/bin/env bash
# Throwaway PostgreSQL for tests and CI: `.ci/pg.sh start|stop|status|url`.
# The server refuses to run as root, so the cluster belongs to the `postgres` user.
# Env: ZC_PG_DIR (data dir, default /tmp/zc-pg), ZC_PG_PORT (default 55432).
set -euo pipefail

D="${ZC_PG_DIR:-/tmp/zc-pg}"
PORT="${ZC_PG_PORT:-55432}"
URL="postgresql+psycopg://postgres@127.0.0.1:${PORT}/postgres"

find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

ensure_installed() {
  if ! BIN="$(find_bin)"; then
    echo "pg.sh: PostgreSQL not found, installing (Debian package postgresql)" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    BIN="$(find_bin)"
  fi
}

# Run a command as the cluster owner (as-is when we are not root).
as_pg() {
  if [ "$(id -u)" = "0" ]; then
    su postgres -s /bin/sh -c "$1"
  else
    sh -c "$1"
  fi
}

is_running() {
  [ -f "$D/PG_VERSION" ] && as_pg "'$BIN/pg_ctl' -D '$D' status" >/dev/null 2>&1
}

start() {
  ensure_installed
  if is_running; then
    echo "pg.sh: already running ($URL)" >&2
    return 0
  fi
  if [ ! -f "$D/PG_VERSION" ]; then
    mkdir -p "$D"
    if [ "$(id -u)" = "0" ]; then chown postgres: "$D"; fi
    chmod 700 "$D"
    as_pg "'$BIN/initdb' -D '$D' -A trust -U postgres -E UTF8 >'$D.initdb.log' 2>&1" \
      || { cat "$D.initdb.log" >&2; exit 1; }
  fi
  as_pg "'$BIN/pg_ctl' -D '$D' -o '-p $PORT -k $D -c listen_addresses=127.0.0.1' -l '$D/log' -w start" >&2 \
    || { tail -n 30 "$D/log" >&2; exit 1; }
  echo "pg.sh: started ($URL)" >&2
}

stop() {
  if ! BIN="$(find_bin)"; then
    return 0
  fi
  if is_running; then
    as_pg "'$BIN/pg_ctl' -D '$D' -m fast -w stop" >&2
  else
    echo "pg.sh: not running" >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) ensure_installed; if is_running; then echo running; else echo stopped; exit 3; fi ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
