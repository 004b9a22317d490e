#!/bin/sh
# Migrate the database (unless MIGRATE_ON_START=0), then run the command: gunicorn.
set -eu
if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
    flask --app wsgi db upgrade
fi
exec "$@"
