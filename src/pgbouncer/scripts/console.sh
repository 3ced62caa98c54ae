#!/bin/sh
# Runs admin console commands with psql on the app server, through PgBouncer's Unix socket as
# its pgbouncer.ini names it. The commands are the positional parameters. pgdeploy assigns ini
# and mode (and, for mode=once_served, routes and patience_ms) before it
# (pgbouncer/ssh_console.cpp); the tests also assign clients.
# mode=query: one command; its rows on stdout, separated by newlines, fields by the unit
#   separator (037); psql's exit status.
# mode=each: every command in turn in one session, whatever the one before did, so that
#   KILL "db" and its RESUME "db" reach PgBouncer within a millisecond: one command a line on
#   psql's input; psql names the line of each that failed on stderr ("psql:<stdin>:N: ...").
# mode=once_served: as each, once SHOW DATABASES lists every route of $routes (one a line:
#   name, host, port and database separated by the unit separator), asked every 50 ms for up
#   to $patience_ms; exit @CONSOLE_NOT_SERVED@ and nothing run when it did not.
# Exit @CONSOLE_UNUSABLE@ when the ini cannot be read or psql is missing.
: "${ini?}" "${mode?}"
unusable=@CONSOLE_UNUSABLE@ not_served=@CONSOLE_NOT_SERVED@
# The last setting wins in PgBouncer's ini as here; sections do not matter for these keys.
setting() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p" "$ini" | tail -n 1; }
[ -r "$ini" ] || { echo "cannot read $ini" >&2; exit "$unusable"; }
port=$(setting listen_port) dir=$(setting unix_socket_dir)
# On Debian and Ubuntu, psql on PATH is pg_wrapper, a Perl script that takes 40 ms to start:
# the newest client under ${clients:-/usr/lib/postgresql} is run directly when there is one.
psql=psql newest=0
for candidate in "${clients:-/usr/lib/postgresql}"/*/bin/psql; do
  version=${candidate%/bin/psql} version=${version##*/} version=${version%%[!0-9]*}
  if [ -x "$candidate" ] && [ "${version:-0}" -gt "$newest" ]; then psql=$candidate newest=$version; fi
done
command -v "$psql" >/dev/null 2>&1 || { echo "psql is not installed" >&2; exit "$unusable"; }
conninfo="host=${dir:-/tmp} port=${port:-6432} dbname=pgbouncer connect_timeout=2"
us=$(printf '\037')
query() { "$psql" -X -q -A -F "$us" -P footer=off -v ON_ERROR_STOP=1 "$conninfo" -c "$1"; }

# True when SHOW DATABASES lists every route of $routes; a console that fails ends the script.
served() {
  rows=$(query 'SHOW DATABASES') || exit
  printf '%s\n' "$rows" | awk -F "$us" '
    NR == 1 { for (i = 1; i <= NF; i++) column[$i] = i; next }
    { listed[$column["name"] FS $column["host"] FS $column["port"] FS $column["database"]] = 1 }
    END {
      n = split(ENVIRON["routes"], want, "\n")
      for (i = 1; i <= n; i++) if (want[i] != "" && !(want[i] in listed)) exit 1
    }'
}

case $mode in
query) query "$1"; exit ;;
once_served)
  : "${routes?}" "${patience_ms?}"
  export routes
  tries=$((patience_ms / 50 + 1))
  until served; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "PgBouncer does not serve the new routes" >&2; exit "$not_served"; }
    sleep 0.05
  done
  ;;
esac
printf '%s;\n' "$@" | "$psql" -X -q -v ON_ERROR_STOP=0 "$conninfo" -f -
