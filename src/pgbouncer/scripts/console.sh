#!/bin/sh
# Runs one admin console command with psql on the app server, through PgBouncer's Unix socket
# as its pgbouncer.ini names it; rows separated by newlines, fields by the unit separator (037).
# Exit 20 when the ini cannot be read or psql is missing. pgdeploy assigns ini and command
# before it (pgbouncer/ssh_console.cpp).
: "${ini?}" "${command?}"
# The last setting wins in PgBouncer's ini as here; sections do not matter for these keys.
setting() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p" "$ini" | tail -n 1; }
[ -r "$ini" ] || { echo "cannot read $ini" >&2; exit 20; }
port=$(setting listen_port) dir=$(setting unix_socket_dir)
command -v psql >/dev/null 2>&1 || { echo "psql is not installed" >&2; exit 20; }
exec psql -X -q -A -F "$(printf '\037')" -P footer=off -v ON_ERROR_STOP=1 \
  "host=${dir:-/tmp} port=${port:-6432} dbname=pgbouncer connect_timeout=2" -c "$command"
