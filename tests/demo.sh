#!/usr/bin/env bash
# A guided tour of a failover with pgdeploy, on a throwaway local cluster:
# two PostgreSQL nodes managed by repmgr, one application server running
# PgBouncer behind sshd, everything on loopback in a temporary directory that
# is removed at the end (also on Ctrl-C). Run as root or with sudo.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '   $ %s\n' "$*"; { "$@" 2>&1 || true; } | sed 's/^/     /'; }

step "Installing what is missing and building pgdeploy"
"$root/packaging/install-deps"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
export PGDEPLOY_BIN=$build/pgdeploy
# shellcheck source=integration/harness.sh
. "$root/tests/integration/harness.sh"
# A demo with a server missing fails, naming the package, instead of skipping.
export HARNESS_MISSING=fail
harness_init
tour_started=$EPOCHREALTIME

step "1. A repmgr cluster: node1 is the primary, node2 a streaming standby"
pg_start node1
repmgr_register_primary node1 1
repmgr_clone_standby node2 2 node1
pg_psql node1 postgres "CREATE DATABASE appdb" >/dev/null
pg_psql node1 appdb "CREATE TABLE orders (id serial PRIMARY KEY, placed_on text)" >/dev/null
show as_user "$PG_BINDIR/repmgr" -f "$H/repmgr_node2.conf" cluster show --compact

step "2. An application server: PgBouncer, reachable over SSH, listed in repmgr.app_servers"
sshd_start
pgbouncer_start app1
app_server_add app1 101
app_server_set app1 admin_conninfo "$(sql_lit "host=127.0.0.1 port=$(bouncer_port app1) user=$TEST_USER")"
app_server_set app1 pgbouncer_ini "$(sql_lit "$H/app_app1/pgbouncer.ini")"
show pg_psql node1 repmgr "SELECT node_name, ip_addr, config_dir FROM repmgr.app_servers"

step "3. repmgr runs pgdeploy on every event; this is the line in each node's repmgr.conf"
for node in node1 node2; do repmgr_enable_hook "$node"; done
grep '^event_notification_command' "$H/repmgr_node2.conf" | sed "s|$H|\$H|g; s/^/     /"

step "4. pgdeploy points PgBouncer at the primary (run by hand once)"
run_pgdeploy >/dev/null
sed 's/^/     /' "$H/out"
echo "   The fragment on app1 ($H/app_app1/conf/main.ini):"
sed 's/^/     /' "$H/app_app1/conf/main.ini"
where() { bouncer_psql app1 appdb "SELECT 'writes go to port ' || current_setting('port') || CASE WHEN pg_is_in_recovery() THEN ' (standby)' ELSE ' (primary)' END"; }
show where
echo "   (node1 listens on $(pg_port node1), node2 on $(pg_port node2))"
# pgdeploy SUBCOMMAND as the test user, with node NODE's repmgr.conf.
pgdeploy_sub() {
    as_user "$PGDEPLOY" "$1" -c main -f "$H/repmgr_$2.conf" --ssh-key "$SSH_KEY" \
        --known-hosts "$KNOWN_HOSTS" | sed "s|$H|\$H|g; s/^/     /"
}
echo "   pgdeploy doctor checks every piece of the setup before a failover needs it:"
pgdeploy_sub doctor node1

step "5. The primary fails"
show pg_stop node1

step "6. repmgr promotes the standby; its standby_promote event runs pgdeploy on node2"
started=$EPOCHREALTIME
repmgr_as node2 standby promote
echo "   repmgr standby promote returned after $(( (${EPOCHREALTIME/[.,]/} - ${started/[.,]/}) / 1000 )) ms; pgdeploy's report, from the hook:"
grep -v ': debug: ' "$H/hook_node2.log" | sed 's/^/     /'
show as_user "$PG_BINDIR/repmgr" -f "$H/repmgr_node2.conf" cluster show --compact

step "7. Applications already write to the new primary"
echo "   pgdeploy status, on node2:"
pgdeploy_sub status node2
show where
show bouncer_psql app1 appdb "WITH o AS (INSERT INTO orders (placed_on) VALUES ('after the failover') RETURNING id, placed_on) SELECT * FROM o"

step "Done in $(( (${EPOCHREALTIME/[.,]/} - ${tour_started/[.,]/}) / 1000 )) ms; removing the cluster"
