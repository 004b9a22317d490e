#!/usr/bin/env bash
# Install (from Debian packages) and start a local PostgreSQL for the test suite, and
# create a test role and database. Idempotent. Prints the database URL to use.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h localhost && break
  sleep 1
done

run_sql() { su postgres -c "psql -q -v ON_ERROR_STOP=1 -tAc \"$1\""; }
if [ "$(run_sql "SELECT 1 FROM pg_roles WHERE rolname = 'register_test'")" != "1" ]; then
  run_sql "CREATE ROLE register_test LOGIN PASSWORD 'register_test'" >&2
fi
# `make test` runs the suite in several processes, each on a database of its own that the
# tests create (tests/conftest.py) beside this one.
run_sql "ALTER ROLE register_test CREATEDB" >&2
if [ "$(run_sql "SELECT 1 FROM pg_database WHERE datname = 'register_test'")" != "1" ]; then
  run_sql "CREATE DATABASE register_test OWNER register_test ENCODING 'UTF8' TEMPLATE template0" >&2
fi
echo "postgresql://register_test:register_test@localhost:5432/register_test"
