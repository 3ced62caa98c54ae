#!/usr/bin/env bash
# Fencing against real servers: a primary that diverged on the same timeline, a
# second node that accepts writes, a fragment of another cluster, a header that
# cannot be read exactly, a fragment that cannot be read, and side files that
# follow only a fragment that passed fencing. Each refusal changes nothing.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_primary
# node2: a copy of node1 that runs on its own, on the same timeline 1. Once both
# take writes their histories diverge, as after two promotions from one parent.
start_other_primary
# app1 reloads by a command over SSH, app2 through its admin console (verified).
start_app_servers app2 app1
node1=$(pg_port node1)
node2=$(pg_port node2)

# List NAME as an active standby node ID at PORT.
metadata_standby() {
    pg_psql node1 repmgr "INSERT INTO repmgr.nodes (node_id, upstream_node_id, node_name, type, active,
                                   conninfo, repluser, location, priority, config_file)
         VALUES ($2, 1, $(sql_lit "$1"), 'standby', true,
                 $(sql_lit "host=127.0.0.1 port=$3 user=$TEST_USER dbname=repmgr connect_timeout=2"),
                 $(sql_lit "$TEST_USER"), 'default', 100, '/dev/null')
         ON CONFLICT (node_id) DO UPDATE SET active = true, type = 'standby', conninfo = EXCLUDED.conninfo" >/dev/null
}
forget_node() { pg_psql node1 repmgr "DELETE FROM repmgr.nodes WHERE node_id = $1" >/dev/null; }
keep() { cp "$H/app_$1/conf/main.ini" "$H/$1.kept"; }
untouched() { cmp -s "$H/$1.kept" "$H/app_$1/conf/main.ini"; }

echo "# node1 deploys: the header carries its timeline and the cluster's system identifier"
run_pgdeploy
check_eq "exit status 0" 0 "$RC"
sysid=$(pg_psql node1 postgres "SELECT system_identifier FROM pg_control_system()")
check "the epoch line names timeline 1 and the system identifier" \
    grep -q "^; Epoch: timeline 1, system $sysid, lsn " "$H/app_app1/conf/main.ini"
check "app1 routes to node1" wait_until 5 routes_to app1 node1
keep app1
keep app2

echo "# node2, promoted from the same parent, also reaches timeline 1: refused"
metadata_primary node2 2
run_pgdeploy
check_eq "exit status 4" 4 "$RC"
check "both hosts refused, naming the holder on the same timeline" \
    test "$(grep -c "REFUSED .*held by the primary node 1 (node1) at 127.0.0.1:$node1 on the same timeline 1: two primaries were promoted from one parent; rejoin or rebuild" "$H/out")" = 2
check "app1's fragment is untouched" untouched app1
check "app2's fragment is untouched" untouched app2
check "app2 (admin console) still routes to node1" routes_to app2 node1
run_pgdeploy --check
check "--check reports the same refusal" grep -q "app1 .*on the same timeline 1" "$H/out"
check_eq "--check: a host holding another primary's fragment is CRITICAL (exit 2)" 2 "$RC"
echo "# the same node on the same timeline is a normal update"
metadata_primary node1 1
pg_psql node1 postgres "CREATE DATABASE newdb" >/dev/null
run_pgdeploy
check_eq "exit status 0" 0 "$RC"
check "the new database is routed" grep -q "^newdb = host=127.0.0.1 port=$node1 " "$H/app_app1/conf/main.ini"
keep app1
keep app2

echo "# a second node that accepts writes: nothing is pushed anywhere"
pgbouncer_start app3
app_server_add app3 103
app_server_set app3 reload_command "$(sql_lit "$(bouncer_reload_command app3)")"
metadata_standby node2 2 "$node2"
as_user rm -f "$H/app_app3/conf/main.ini"
run_pgdeploy
check_eq "exit status 4" 4 "$RC"
check "names the second writable node" grep -q "error: two primaries: node 2 (node2) accepts writes.*nothing was pushed" "$H/out"
check "no host was contacted" fails grep -q "app[123] (127.0.0.1)" "$H/out"
check "app1 untouched" untouched app1
check "app3, which had no fragment, still has none" test ! -e "$H/app_app3/conf/main.ini"
echo "# a listed standby that does not answer does not block"
metadata_standby node2 2 "$(free_port)"
run_pgdeploy
check_eq "exit status 0" 0 "$RC"
check "the silent node is logged" grep -q "node 2 (node2) does not answer; it cannot be checked for a second primary" "$H/out"
check "app3 now has its fragment" wait_until 5 routes_to app3 node1
forget_node 2
keep app1

echo "# a primary of another cluster (another system identifier): refused; --force replaces"
pg_start node4
pg_psql node4 postgres "CREATE DATABASE repmgr" "CREATE DATABASE appdb" >/dev/null
metadata_primary node4 4
only_app1() { pg_psql node1 repmgr "UPDATE repmgr.app_servers SET enabled = node_name = 'app1'" >/dev/null; }
all_apps() { pg_psql node1 repmgr "UPDATE repmgr.app_servers SET enabled = true" >/dev/null; }
only_app1
run_pgdeploy
check_eq "exit status 4" 4 "$RC"
check "refused as another cluster, naming both identifiers" \
    grep -q "app1 .*REFUSED .*was written for another cluster (system identifier $sysid, this cluster's is [0-9]*)" "$H/out"
check "app1 untouched" untouched app1
run_pgdeploy --force
check_eq "--force: exit status 0" 0 "$RC"
check "--force replaced it" grep -q "port=$(pg_port node4) " "$H/app_app1/conf/main.ini"
metadata_primary node1 1
run_pgdeploy --force
check_eq "back to node1 (--force)" 0 "$RC"
keep app1

echo "# a header that cannot be read exactly is refused, never taken for no epoch"
edit_and_refuse() {
    local what=$1
    shift
    as_user sed -i "$@" "$H/app_app1/conf/main.ini"
    keep app1
    run_pgdeploy
    check_eq "$what: exit status 4" 4 "$RC"
    check "$what: refused, saying why" grep -q "app1 .*REFUSED .*carries pgdeploy's header, but" "$H/out"
    check "$what: untouched" untouched app1
    run_pgdeploy --force
}
edit_and_refuse "two Epoch lines that disagree" '3a ; Epoch: timeline 9, lsn 0/1'
edit_and_refuse "a timeline too large for the shell" 's/^; Epoch: timeline 1,/; Epoch: timeline 99999999999999999999,/'
edit_and_refuse "an edited timeline" 's/^; Epoch: timeline 1,/; Epoch: timeline 1x,/'
edit_and_refuse "no Epoch line" '/^; Epoch: /d'
echo "# a file without pgdeploy's header stays replaceable"
printf '; written by hand\nappdb = host=10.9.9.9 dbname=appdb\n' | write_as_user "$H/app_app1/conf/main.ini"
run_pgdeploy
check_eq "exit status 0" 0 "$RC"
check "replaced" grep -q "^appdb = host=127.0.0.1 port=$node1 " "$H/app_app1/conf/main.ini"

echo "# a fragment the SSH user cannot read fails the host, with the reason"
if [ "$TEST_USER" != root ]; then
    as_user chmod 000 "$H/app_app1/conf/main.ini"
    run_pgdeploy
    as_user chmod 640 "$H/app_app1/conf/main.ini"
    check_eq "exit status 1" 1 "$RC"
    check "app1 fails: cannot read" grep -q "app1 .*FAILED .*read: cannot read $H/app_app1/conf/main.ini" "$H/out"
fi
as_user mv "$H/app_app1/conf/main.ini" "$H/app1.ini"
as_user mkdir "$H/app_app1/conf/main.ini"
run_pgdeploy
check_eq "a directory in its place: exit status 1" 1 "$RC"
check "app1 fails: not a regular file" grep -q "app1 .*FAILED .*read: .*main.ini exists but is not a regular file" "$H/out"
as_user rmdir "$H/app_app1/conf/main.ini"
as_user mv "$H/app1.ini" "$H/app_app1/conf/main.ini"

echo "# side files follow only a fragment that passed fencing"
pg_psql node1 postgres "CREATE ROLE app_user LOGIN PASSWORD 'app-secret'" >/dev/null
userlist=$H/app_app1/userlist.synced
metadata_primary node2 2   # same timeline as the fragments in place: refused
run_pgdeploy --sync-userlist="$userlist"
check_eq "refused: exit status 4" 4 "$RC"
check "the refused host received no userlist" test ! -e "$userlist"
metadata_primary node1 1
run_pgdeploy --sync-userlist="$userlist"
check_eq "passed: exit status 0" 0 "$RC"
check "the host that passed received it" grep -q '^"app_user" "SCRAM-SHA-256' "$userlist"
check "no temporary file beside it" dir_holds_only "$H/app_app1/conf" main.ini
all_apps

harness_summary
