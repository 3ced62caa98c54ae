#!/usr/bin/env bash
# Checks the integration harness itself: every server starts, is reachable,
# and a PgBouncer fragment written by hand is picked up after a reload.
#   PGDEPLOY_BIN=/path/to/pgdeploy bash tests/integration/harness_selftest.sh
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

harness_init
# Each server's first port is taken after the probe, as a suite running at the same time may:
# every server must come up on another one.
taken_pg=$(harness_take_port)
pg_start node1
repmgr_register_primary node1 1
taken_ssh=$(harness_take_port)
sshd_start 2>"$H/sshd_start.err"
taken_bouncer=$(harness_take_port)
pgbouncer_start app1 2>"$H/bouncer_start.err"
check "PostgreSQL moved off the taken port $taken_pg" [ "$(pg_port node1)" != "$taken_pg" ]
check "sshd moved off the taken port $taken_ssh" [ "$SSH_PORT" != "$taken_ssh" ]
check "sshd said so" grep -q "port $taken_ssh was taken meanwhile" "$H/sshd_start.err"
check "PgBouncer moved off the taken port $taken_bouncer" [ "$(bouncer_port app1)" != "$taken_bouncer" ]
check "PgBouncer said so" grep -q "port $taken_bouncer was taken meanwhile" "$H/bouncer_start.err"
pgbouncer_start app2
app_server_add app1 101
app_server_add app2 102
pg_psql node1 postgres "CREATE DATABASE appdb" >/dev/null

check_eq "repmgr.nodes has one active primary" 1 \
    "$(pg_psql node1 repmgr "SELECT count(*) FROM repmgr.nodes WHERE type = 'primary' AND active")"
check_eq "both app servers registered" "app1 app2" \
    "$(pg_psql node1 repmgr "SELECT string_agg(node_name, ' ' ORDER BY node_id) FROM repmgr.app_servers")"
check "ssh login with the test key" \
    as_user ssh -F /dev/null -i "$SSH_KEY" -o UserKnownHostsFile="$KNOWN_HOSTS" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -p "$SSH_PORT" "$TEST_USER@127.0.0.1" true
# The same sshd answers on 127.0.0.2, but known_hosts does not list it.
unknown_host_refused() {
    local out
    out=$(as_user ssh -F /dev/null -i "$SSH_KEY" -o UserKnownHostsFile="$KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -p "$SSH_PORT" "$TEST_USER@127.0.0.2" true 2>&1) &&
        return 1
    grep -q 'Host key verification failed' <<<"$out"
}
check "127.0.0.2 has an unknown host key" unknown_host_refused
check "pgdeploy copy is executable by the test user" as_user test -x "$PGDEPLOY"

echo "appdb = host=127.0.0.1 port=$(pg_port node1) dbname=appdb" | write_as_user "$H/app_app1/conf/main.ini"
eval "$(bouncer_reload_command app1)"

# SIGHUP is handled asynchronously: poll until the new database answers.
app1_reaches_node1() {
    [ "$(bouncer_psql app1 appdb "SELECT current_setting('port')" 2>/dev/null)" = "$(pg_port node1)" ]
}
check "app1 routes appdb to node1 after reload" wait_until 5 app1_reaches_node1
check "app2 is unchanged" fails bouncer_psql app2 appdb "SELECT 1"

harness_summary
