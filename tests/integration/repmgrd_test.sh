#!/usr/bin/env bash
# Automatic failovers by repmgrd running on every node, with pgdeploy as the
# event_notification_command, while clients keep writing through two PgBouncers
# (app1 reloads through its admin console, app2 by a reload_command over SSH).
# The primary is killed (pg_ctl -m immediate): repmgrd promotes a standby, the
# third node follows, and writes land on the new primary through both PgBouncers.
# The old primary then comes back without a rejoin (nothing may re-point to it),
# is rejoined, and takes over again by `standby switchover --siblings-follow`
# with repmgrd running. Last, the same failover in a two-node cluster.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_three_nodes
for node in node1 node2 node3; do
    repmgr_enable_hook "$node"
    repmgrd_configure "$node"
done
start_app_servers app1 app2
run_pgdeploy
check_eq "initial deploy by hand" 0 "$RC"
for node in node1 node2 node3; do repmgrd_start "$node"; done

# Server NAME's repmgr log (repmgrd's too) has a line with TEXT after its first LINES lines.
logged_since() { tail -n "+$(($2 + 1))" "$H/repmgr_$1.log" | grep -qF -- "$3"; }
log_lines() { wc -l <"$H/repmgr_$1.log"; }
hook_ran() { wait_until 30 grep -q -- "repmgr event $2 on node ${1#node}: deploying" "$H/hook_$1.log"; }
no_hook_failed() { ! grep -h -E 'error:|FAILED' "${@/#/$H/hook_}"; }
fragment_names() { grep -q "port=$(pg_port "$2") " "$H/app_$1/conf/main.ini"; }
writers_start() {
    writer_start app1 "$(bouncer_port app1)"
    writer_start app2 "$(bouncer_port app2)"
    writer_start direct "$(pg_port "$1")"
}
writers_stop() { for w in app1 app2 direct; do writer_stop "$w"; done; }

for node in node1 node2 node3; do check "repmgrd runs on $node" wait_until 20 repmgrd_active "$node"; done
for node in node2 node3; do
    check "repmgrd on $node monitors node1" \
        wait_until 20 logged_since "$node" 0 'monitoring connection to upstream node "node1"'
done

# Kill server OLD while clients write; wait until repmgrd has promoted NEW and writes through both
# PgBouncers land on it. Prints kill-to-first-write for each path as "# ..." lines.
kill_and_fail_over() {
    local old=$1 new=$2 started killed app first
    started=$(now_ms)
    writers_start "$new"
    check "writes through both PgBouncers land on $old" \
        wait_until 30 eval "first_write_on app1 $old $started >/dev/null && first_write_on app2 $old $started >/dev/null"
    killed=$(pg_kill_after_write "$old")
    check "repmgrd promotes $new" wait_until 90 pg_is_primary "$new"
    check "repmgr records $new as the primary" wait_until 60 repmgr_primary_is "$new" "${new#node}"
    for app in app1 app2 direct; do
        check "writes via $app land on $new" wait_until 60 first_write_on "$app" "$new" "$killed"
    done
    for app in app1 app2 direct; do
        if first=$(first_write_on "$app" "$new" "$killed"); then
            echo "# kill to first write via $app on $new: $((first - killed)) ms"
        fi
    done
}

echo "# a. three nodes: node1 killed, repmgrd promotes node2, node3 follows"
kill_and_fail_over node1 node2
check "the hook ran for standby_promote on node2" hook_ran node2 standby_promote
check "the hook ran for repmgrd_failover_promote on node2" hook_ran node2 repmgrd_failover_promote
check "node3 follows node2" wait_until 60 pg_streams_from node3 node2
check "the hook ran for repmgrd_failover_follow on node3" hook_ran node3 repmgrd_failover_follow
check "app1's fragment names node2" fragment_names app1 node2
check "app2's fragment names node2" fragment_names app2 node2
check "no hook run failed on node2 or node3" no_hook_failed node2.log node3.log
for node in node2 node3; do
    check "$node's hook took its run lock in its own directory" \
        test -n "$(find "$H/run_$node" -mindepth 1 -print -quit)"
done

echo "# b. node1 comes back as a primary, without a rejoin; repmgrd still runs there"
cp "$H/app_app1/conf/main.ini" "$H/app1.before"
cp "$H/app_app2/conf/main.ini" "$H/app2.before"
hook_lines=$(wc -l <"$H/hook_node1.log")
restarted=$(now_ms)
pg_start node1
check "node1 is writable again" pg_is_primary node1
run_pgdeploy -f "$H/repmgr_node1.conf" -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr"
check "a run of pgdeploy on node1 exits non-zero" test "$RC" != 0
RC=0
as_user "$PGDEPLOY" status -c main -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" \
    --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/status_out" 2>&1 || RC=$?
sed 's/^/#   | /' "$H/status_out"
check "status on node1 does not present node1 as the primary of a current fleet" test "$RC" != 0
check "it says this node's view is stale or refuses, naming node2" \
    grep -Eq "this node's view looks stale: .*node 2 \(node2\)|node 2 \(node2\).*(accepts writes|active primaries)" "$H/status_out"
# Give repmgrd on node1 time to notice its server came back and raise its events.
sleep 5
check "app1's fragment is unchanged" cmp "$H/app1.before" "$H/app_app1/conf/main.ini"
check "app2's fragment is unchanged" cmp "$H/app2.before" "$H/app_app2/conf/main.ini"
restarted_plus=$(now_ms)
for app in app1 app2; do
    check "writes via $app keep landing on node2" wait_until 15 first_write_on "$app" node2 "$restarted_plus"
    check "no write via $app landed on node1 since it came back" fails first_write_on "$app" node1 "$restarted"
done
hook_since_restart() { tail -n "+$((hook_lines + 1))" "$H/hook_node1.log"; }
check "no hook run on node1 since it came back deployed node1" \
    fails eval "hook_since_restart | grep -q 'primary node 1 (node1)'"
writers_stop

echo "# c. node1 rejoins, then takes over again by switchover with repmgrd running"
pg_stop node1
# Without a checkpoint on the new primary pg_rewind may find nothing to do and the rejoin hangs.
pg_psql node2 postgres CHECKPOINT >/dev/null
repmgr_as node1 node rejoin -d "host=127.0.0.1 port=$(pg_port node2) user=$TEST_USER dbname=repmgr" --force-rewind
check "node1 streams from node2" wait_until 30 pg_streams_from node1 node2
check "repmgrd runs on node1" wait_until 20 repmgrd_active node1
node2_lines=$(log_lines node2)
writers_start node1
switched=$(now_ms)
repmgr_as node1 standby switchover --siblings-follow
check "node1 is the primary" pg_is_primary node1
check "repmgr records node1 as the primary" wait_until 60 repmgr_primary_is node1 1
for app in app1 app2; do
    check "writes via $app land on node1" wait_until 30 first_write_on "$app" node1 "$switched"
    if first=$(first_write_on "$app" node1 "$switched"); then
        echo "# switchover start to first write via $app on node1: $((first - switched)) ms"
    fi
done
check "the hook ran for standby_switchover on node1" hook_ran node1 standby_switchover
check "node2 follows node1" wait_until 60 pg_streams_from node2 node1
check "node3 follows node1" wait_until 60 pg_streams_from node3 node1
repmgrd_resume_after_switchover node1 node2 node3
for node in node1 node2 node3; do
    check "repmgrd on $node runs, not paused" wait_until 60 repmgrd_active "$node"
done
writers_stop

echo "# d. two nodes: node3 leaves, node1 killed, repmgrd promotes node2"
repmgrd_stop node3
pg_stop node3
repmgr_as node1 standby unregister --node-id=3
# repmgrd on the former primary notices it is a standby now and monitors its upstream again.
check "repmgrd on node2 switched to standby monitoring in the switchover" \
    wait_until 20 logged_since node2 "$node2_lines" 'node is now a standby, switching to standby monitoring'
kill_and_fail_over node1 node2
check "no hook run failed on node1 or node2 since the switchover" no_hook_failed node2.log
writers_stop

harness_summary
