#!/usr/bin/env bash
# Install (from Debian packages) and start a local Redis for the test suite's Redis
# variants, unless one answers already. Idempotent. Prints the URL to use (a database
# number of its own; each test also keys under a prefix of its own).
set -euo pipefail

port=6379
if ! command -v redis-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq redis-server >&2
fi
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no >&2
fi
for _ in $(seq 1 30); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.2
done
redis-cli -p "$port" ping >/dev/null
echo "redis://127.0.0.1:$port/15"
