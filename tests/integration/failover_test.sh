#!/usr/bin/env bash
# Real failovers performed by repmgr itself, with pgdeploy as its
# event_notification_command on every node: promote, follow, rejoin,
# switchover, and events that must deploy nothing. Every scenario is checked
# by a client connecting through PgBouncer.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_three_nodes
for node in node1 node2 node3; do repmgr_enable_hook "$node"; done
# app1 reloads through its admin console (verified, synchronous); app2 by signal.
start_app_servers app1 app2
run_pgdeploy
check_eq "initial deploy by hand" 0 "$RC"
check "app1 routes to node1" routes_to app1 node1

write_via() { bouncer_psql "$1" appdb "WITH w AS (INSERT INTO writes (at) VALUES (current_setting('port')) RETURNING at) SELECT at FROM w"; }
writes_land_on() { [ "$(write_via "$1" 2>/dev/null)" = "$(pg_port "$2")" ]; }
hook_ran() { grep -q -- "$2" "$H/hook_$1.log"; }
deployed_to() {  # the hook on node $1 pointed both app servers at node $2 (updated or current)
    hook_ran "$1" "primary node ${2#node} ($2) at 127.0.0.1:$(pg_port "$2"), timeline [0-9]*; 2 app servers: .*0 failed\$"
}

echo "# 1. the primary stops; repmgr promotes node2"
pg_stop node1
started=$(now_ms)
repmgr_as node2 standby promote
promoted=$(now_ms)
first_write=
for _ in $(seq 100); do
    if writes_land_on app1 node2; then first_write=$(now_ms); break; fi
    sleep 0.05
done
check "a write through PgBouncer succeeds on node2 once promote returns" test -n "$first_write"
check "the hook ran for standby_promote on node2" hook_ran node2 'repmgr event standby_promote on node 2: deploying'
check "node2's run deployed node2" deployed_to node2 node2
check "app2 (reload by signal) routes to node2" wait_until 5 routes_to app2 node2
echo "# failover-to-traffic: $(( ${first_write:-$promoted} - started )) ms from promote start to the first write through PgBouncer (repmgr standby promote itself: $((promoted - started)) ms)"

echo "# 4. node3 follows the new primary (standby_follow runs on a standby)"
repmgr_as node3 standby follow --upstream-node-id=2
check "the hook ran for standby_follow on node3" hook_ran node3 'repmgr event standby_follow on node 3: deploying'
check "node3's run read the metadata on the primary and deployed node2" deployed_to node3 node2
check "app1 still routes writes to node2" writes_land_on app1 node2

echo "# fencing: the old primary comes back without a rejoin and believes it is still primary"
pg_start node1
cp "$H/app_app1/conf/main.ini" "$H/fenced.ini"
run_pgdeploy -f "$H/repmgr_node1.conf" -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr"
check_eq "a run on it (e.g. from a timer) exits 4" 4 "$RC"
# Its own copy of the metadata lists node2 as a standby; node2 answers that it takes writes.
check "refused as two primaries, naming node2" \
    grep -q "error: two primaries: node 2 (node2) accepts writes.*nothing was pushed" "$H/out"
check "no host was contacted" fails grep -q "app[12] (127.0.0.1)" "$H/out"
check "app1's fragment is untouched" cmp "$H/fenced.ini" "$H/app_app1/conf/main.ini"
check "writes still land on node2" writes_land_on app1 node2
pg_stop node1

echo "# 2. the old primary rejoins as a standby (node_rejoin)"
repmgr_as node1 node rejoin -d "host=127.0.0.1 port=$(pg_port node2) user=$TEST_USER dbname=repmgr" --force-rewind
check "the hook ran for node_rejoin on node1" hook_ran node1 'repmgr event node_rejoin on node 1: deploying'
check "node1's run kept traffic on node2" deployed_to node1 node2
check "app1 routes writes to node2" writes_land_on app1 node2
check "app2 routes writes to node2" writes_land_on app2 node2

echo "# 3. switchover: node1 becomes the primary again"
repmgr_as node1 standby switchover --siblings-follow
check "the hook ran for standby_switchover on node1" hook_ran node1 'repmgr event standby_switchover on node 1: deploying'
check "node1's run deployed node1" deployed_to node1 node1
check "app1 routes writes to node1" wait_until 5 writes_land_on app1 node1
check "app2 routes writes to node1" wait_until 5 writes_land_on app2 node1
check "no hook run failed" fails grep -h -E 'error:|FAILED' "$H"/hook_node1.log "$H"/hook_node2.log "$H"/hook_node3.log

echo "# the metadata names a standby as the primary: refused"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET active = (node_id = 3) WHERE type = 'primary'" \
    "UPDATE repmgr.nodes SET type = 'primary' WHERE node_id = 3" >/dev/null
cp "$H/app_app1/conf/main.ini" "$H/before_standby.ini"
run_pgdeploy
check_eq "exit status 4" 4 "$RC"
check "the message names the node in recovery" grep -q 'names node 3 (node3) as primary, but it is in recovery; nothing was pushed' "$H/out"
check "nothing was pushed" cmp "$H/before_standby.ini" "$H/app_app1/conf/main.ini"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET type = 'standby' WHERE node_id = 3" \
    "UPDATE repmgr.nodes SET active = true WHERE node_id IN (1, 3)" >/dev/null

echo "# 5. irrelevant and failed events deploy nothing"
sessions() { grep -c 'Accepted publickey' "$H/ssh/sshd.log" || true; }
cp "$H/app_app1/conf/main.ini" "$H/before.ini"
before=$(sessions)
repmgr_as node3 standby register --force
check "a real irrelevant event (standby_register) ran the hook" \
    hook_ran node3 'repmgr event standby_register cannot move writes; nothing to do'
hook_line() {  # the hook as repmgr expands it, for other events
    as_user "$PGDEPLOY" -c main -f "$H/repmgr_node3.conf" --ssh-key "$SSH_KEY" \
        --known-hosts "$KNOWN_HOSTS" "$@" >"$H/out" 2>&1
}
check "irrelevant event with the database unreachable: exit 0 without contacting it" \
    hook_line -p "host=127.0.0.1 port=1 dbname=repmgr" --event=repmgrd_start --node-id=3 --success=1
check "failed promote (--success=0): exit 0" hook_line --event=standby_promote --node-id=3 --success=0
check "failed promote warns" grep -q 'reports failure (--success=0); nothing deployed' "$H/out"
check_eq "no SSH session for any of them" "$before" "$(sessions)"
check "the fragment is untouched" cmp "$H/before.ini" "$H/app_app1/conf/main.ini"

harness_summary
