#!/usr/bin/env bash
# Throwaway Redis (the Celery broker and result backend) for tests and CI: `.ci/redis.sh start|stop|status|url`.
# Bound to 127.0.0.1 only, nothing persisted to disk.
# Env: ZC_REDIS_DIR (working dir, default /tmp/zc-redis), ZC_REDIS_PORT (default 56379).
set -euo pipefail

D="${ZC_REDIS_DIR:-/tmp/zc-redis}"
PORT="${ZC_REDIS_PORT:-56379}"
URL="redis://127.0.0.1:${PORT}/0"

ensure_installed() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "redis.sh: Redis not found, installing (Debian package redis-server)" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server >&2
  fi
}

is_running() {
  [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = "PONG" ]
}

start() {
  ensure_installed
  if is_running; then
    echo "redis.sh: already running ($URL)" >&2
    return 0
  fi
  mkdir -p "$D"
  redis-server --bind 127.0.0.1 --port "$PORT" --dir "$D" --daemonize yes \
    --pidfile "$D/redis.pid" --logfile "$D/log" --save '' --appendonly no >&2 \
    || { tail -n 30 "$D/log" >&2; exit 1; }
  local i
  for i in $(seq 50); do
    if is_running; then
      echo "redis.sh: started ($URL)" >&2
      return 0
    fi
    sleep 0.1
  done
  tail -n 30 "$D/log" >&2
  exit 1
}

stop() {
  if command -v redis-cli >/dev/null 2>&1 && is_running; then
    redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >&2 || true
  else
    echo "redis.sh: not running" >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) ensure_installed; if is_running; then echo running; else echo stopped; exit 3; fi ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
