#!/usr/bin/env bash
# Pull mode through a real failover: repmgrd on every node runs pgdeploy --etcd as its
# event_notification_command, and every app server is an agent row (app1 reloads through its
# admin console, app2 by SIGHUP, app3 through its console). Clients write through app1's and
# app2's PgBouncers while the primary is killed: repmgrd promotes node2, the hook publishes
# without opening an SSH connection, and the agents move the writes to node2. app3's agent is
# stopped during the failover and catches up when started again. Then a watch whose revision
# was compacted while its agent was stopped (SIGSTOP) re-reads the newest state; last, the old
# primary comes back, stale and then diverged on the new timeline: its publishes lose, and the
# agents' files and routes stay.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_three_nodes
start_etcd
keys=/pgdeploy/main/
for app in app1 app2 app3; do pgbouncer_start "$app"; done
app_server_add app1 101
app_server_add app2 102
app_server_add app3 103
for app in app1 app2 app3; do app_server_set "$app" delivery "'agent'"; done
for node in node1 node2 node3; do
    repmgr_enable_hook "$node" "--etcd $ETCD_ENDPOINT"
    repmgrd_configure "$node"
done
# repmgrd promotes the standby that received the most WAL, and when node1 dies node3 may be
# ahead of node2. Priority 0 (never promoted) leaves node2 the one candidate this suite expects.
echo "priority=0" | as_user tee -a "$H/repmgr_node3.conf" >/dev/null
pg_psql node1 repmgr "UPDATE repmgr.nodes SET priority = 0 WHERE node_name = 'node3'" >/dev/null

console_of() { echo "host=127.0.0.1 port=$(bouncer_port "$1") user=$TEST_USER"; }
# A watching pgdeploy agent for app server APP (more options follow); log $H/agent_APP.log.
agent_start() {
    local app=$1
    shift
    # shellcheck disable=SC2016 # expanded by the inner shell
    as_user sh -c 'echo $$ >"$1"; log=$2; shift 2; exec "$@" >>"$log" 2>&1' agent \
        "$H/agent_$app.pid" "$H/agent_$app.log" \
        "$PGDEPLOY" agent -c main --etcd "$ETCD_ENDPOINT" --name "$app" "$@" &
}
agent_pid() { cat "$H/agent_$1.pid"; }
# Continues agent APP after a SIGSTOP (and runuser, its parent).
agent_continue() { continue_stopped "$(agent_pid "$1")"; }
agent_stop() {
    agent_continue "$1"
    kill -TERM "$(agent_pid "$1")"
    wait_until 10 fails harness_alive "$(agent_pid "$1")"
}
ack_says() { etcd_ctl get --print-value-only "${keys}agents/$1" | json_says "$2"; }
fragment_names() { grep -q "^; Primary: node ${2#node} ($2) at 127.0.0.1:$(pg_port "$2")\$" "$H/app_$1/conf/main.ini"; }
hook_ran() { wait_until 30 grep -q -- "repmgr event $2 on node ${1#node}: deploying" "$H/hook_$1.log"; }
# A write through PgBouncer APP landing on server PG (bounded: PgBouncer may hold a query).
writes_land_on() {
    [ "$(as_user timeout 5 "$PG_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$(bouncer_port "$1")" \
        -U "$TEST_USER" -d appdb -c "INSERT INTO writes (via) VALUES ('$1')
                                     RETURNING current_setting('port')" 2>/dev/null)" = "$(pg_port "$2")" ]
}
primary_on_timeline() { pg_is_primary "$1" && [ "$(pg_timeline "$1")" = "$2" ]; }
# Agent APP's log has a line with TEXT after its first LINES lines.
agent_logged_since() { tail -n "+$(($2 + 1))" "$H/agent_$1.log" | grep -qF -- "$3"; }

publish_on node1
check_eq "the first publish: exit status 0" 0 "$RC"
agent_start app1 --admin-conninfo "$(console_of app1)"
agent_start app2 --reload-command "$(bouncer_reload_command app2)"
agent_start app3 --admin-conninfo "$(console_of app3)"
for app in app1 app2 app3; do
    check "$app's agent installs node1" wait_until 20 fragment_names "$app" node1
done
for node in node1 node2 node3; do repmgrd_start "$node"; done
for node in node1 node2 node3; do check "repmgrd runs on $node" wait_until 20 repmgrd_active "$node"; done
for node in node2 node3; do
    check "repmgrd on $node monitors node1" \
        wait_until 20 grep -qF 'monitoring connection to upstream node "node1"' "$H/repmgr_$node.log"
done

echo "# 1. node1 killed while clients write through app1 and app2; app3's agent is stopped"
check "app3's agent ends on SIGTERM" agent_stop app3
cp "$H/app_app3/conf/main.ini" "$H/app3.before"
connections=$(sshd_connections)
started=$(now_ms)
writer_start app1 "$(bouncer_port app1)"
writer_start app2 "$(bouncer_port app2)"
check "writes through both PgBouncers land on node1" \
    wait_until 30 eval "first_write_on app1 node1 $started >/dev/null && first_write_on app2 node1 $started >/dev/null"
killed=$(pg_kill_after_write node1)
check "repmgrd promotes node2" wait_until 90 pg_is_primary node2
for app in app1 app2; do
    check "writes via $app land on node2" wait_until 60 first_write_on "$app" node2 "$killed"
done
for app in app1 app2; do
    if first=$(first_write_on "$app" node2 "$killed"); then
        echo "# kill to first write via $app on node2: $((first - killed)) ms"
    fi
done
writer_stop app1
writer_stop app2
timeline=$(pg_timeline node2)
for app in app1 app2; do
    check "$app's fragment names node2" fragment_names "$app" node2
    # Its 30 s re-read may have acknowledged the same state again since: unchanged.
    check "$app's ack: node2 on timeline $timeline" \
        wait_until 10 ack_says "$app" "(.result | IN(\"updated\", \"unchanged\")) and .epoch.primary_id == 2 and .epoch.timeline == $timeline"
done
check "the hook ran for standby_promote on node2" hook_ran node2 standby_promote
check "the hook ran for repmgrd_failover_follow on node3" hook_ran node3 repmgrd_failover_follow
check "node2's hook published with every row an agent: no SSH connection" \
    grep -q "every enabled app server is an agent row: no SSH connection" "$H/hook_node2.log"
check "no hook run failed on node2 or node3" fails grep -h -E 'error:|FAILED' "$H/hook_node2.log" "$H/hook_node3.log"
check_eq "sshd saw no connection" "$connections" "$(sshd_connections)"

echo "# 2. app3's agent, stopped during the failover, started after: it catches up"
check "meanwhile app3's file was unchanged" cmp -s "$H/app3.before" "$H/app_app3/conf/main.ini"
check "and named node1" fragment_names app3 node1
agent_start app3 --admin-conninfo "$(console_of app3)"
check "app3's fragment names node2" wait_until 20 fragment_names app3 node2
check "writes via app3 land on node2" wait_until 10 writes_land_on app3 node2
check "app3's ack: updated, node2 on timeline $timeline" \
    wait_until 10 ack_says app3 ".result == \"updated\" and .epoch.primary_id == 2 and .epoch.timeline == $timeline"

echo "# 3. app1's agent stopped (SIGSTOP) until its watch falls behind; newdb published; compacted"
# Every revision etcd cannot send to a stalled watcher waits in its buffers; once those are
# full the watcher is "slow" and must catch up from its own revision later, which the
# compaction then removes (etcd would cancel the watch). The filler is a key the agent watches
# but does not apply (no app server's row). The agent learns of newdb from the publish's
# events if etcd still sends them, or else from the read that follows the compacted answer.
etcd_metric() { curl -s "$ETCD_ENDPOINT/metrics" | awk -v name="$1" '$1 == name { print $2 }'; }
slow_watchers() { etcd_metric etcd_debugging_mvcc_slow_watcher_total; }
watchers_are() { [ "$(etcd_metric etcd_debugging_mvcc_watcher_total)" = "$1" ]; }
filler=$H/filler.json
printf '{"key":"%s","value":"%s"}' "$(printf '%sfiller' "$keys" | base64 -w0)" \
    "$(head -c 65536 /dev/zero | tr '\0' x | base64 -w0)" >"$filler"
fill_until_slow() {
    local round
    for round in $(seq 20); do
        curl -s --parallel --parallel-max 32 --data-binary "@$filler" \
            "$ETCD_ENDPOINT/v3/kv/put?n=[1-50]" >/dev/null
        [ "$(slow_watchers)" = 0 ] || { echo "# slow after $((round * 50)) revisions"; return 0; }
    done
    return 1
}
# A fresh agent, so that its periodic re-read does not come before the compaction's.
check "app1's agent ends on SIGTERM" agent_stop app1
check "etcd has dropped its watch: app2's and app3's are left" wait_until 10 watchers_are 2
# --reread: however long the filling takes on a loaded machine, the compaction comes first.
agent_start app1 --admin-conninfo "$(console_of app1)" --reread 3600
check "app1's agent watches again" wait_until 10 watchers_are 3
check_eq "no slow watcher yet" 0 "$(slow_watchers)"
# The agent watches from the revision after the state it read, at most the store's now.
watched=$(etcd_ctl get "${keys}epoch" -w json | jq -r .header.revision)
kill -STOP "$(agent_pid app1)"
check "app1's watcher fell behind" fill_until_slow
pg_psql node2 postgres "CREATE DATABASE newdb" >/dev/null
publish_on node2
check_eq "the publish with newdb: exit status 0" 0 "$RC"
published=$(etcd_ctl get "${keys}databases" -w json | jq -r '.kvs[0].mod_revision')
revision=$(etcd_ctl get "${keys}epoch" -w json | jq -r .header.revision)
etcd_ctl compact "$revision" >/dev/null
agent_continue app1
# A read at revision $1 fails: that revision has been compacted.
compacted() {
    local out
    out=$(etcd_ctl get --rev="$1" "${keys}epoch" 2>&1) && return 1
    grep -q "required revision has been compacted" <<<"$out"
}
check "the revision app1's agent watches from, $((watched + 1)), is compacted" compacted $((watched + 1))
check "app1's fragment routes newdb" wait_until 10 grep -q "^newdb = host=127.0.0.1 port=$(pg_port node2) " "$H/app_app1/conf/main.ini"
check "its ack is of revision $published or later" \
    wait_until 10 ack_says app1 ".result == \"updated\" and .revision >= $published"
check "app2's agent, not stopped, routes newdb too" wait_until 10 grep -q "^newdb = " "$H/app_app2/conf/main.ini"
etcd_ctl del "${keys}filler" >/dev/null

echo "# 4. node1 back, stale on timeline 1, then diverged on timeline $timeline: its publishes lose"
repmgrd_stop node1
pg_start node1
check "node1 accepts writes on timeline 1" primary_on_timeline node1 1
# Partitioned from the others: node1 cannot tell that node2 was promoted, so its run gets as far
# as the store. Its own copy of repmgr.nodes names them at a port where nothing listens.
nowhere=$(free_port)
pg_psql node1 repmgr "UPDATE repmgr.nodes SET conninfo = regexp_replace(conninfo, 'port=[0-9]+', 'port=$nowhere')
                       WHERE node_id <> 1" >/dev/null
for app in app1 app2 app3; do
    cp "$H/app_$app/conf/main.ini" "$H/$app.kept"
    wc -l <"$H/agent_$app.log" >"$H/$app.lines"
done
unchanged_and_on_node2() {
    local app
    for app in app1 app2 app3; do
        cmp -s "$H/$app.kept" "$H/app_$app/conf/main.ini" || { echo "$app's file changed"; return 1; }
        writes_land_on "$app" node2 || { echo "a write via $app did not land on node2"; return 1; }
    done
}
publish_on node1
check_eq "the stale publish: exit status 4" 4 "$RC"
check "the store refused it: superseded by node2" \
    grep -q "etcd key ${keys}epoch is held by the primary node 2 (node2) on timeline $timeline, newer than 1" "$H/out"
check "the agents' files are byte-identical and writes land on node2" unchanged_and_on_node2
pg_stop node1
as_user touch "$H/pg_node1/standby.signal"
pg_start node1
as_user "$PG_BINDIR/pg_ctl" -w -D "$H/pg_node1" promote >/dev/null
check "node1 accepts writes on timeline $timeline, as node2" \
    primary_on_timeline node1 "$timeline"
publish_on node1
check_eq "the diverged publish: exit status 4" 4 "$RC"
check "the store refused it: another primary on the same timeline" \
    grep -q "etcd key ${keys}epoch is held by the primary node 2 (node2) on the same timeline $timeline" "$H/out"
check "the agents' files are byte-identical and writes land on node2" unchanged_and_on_node2
for app in app1 app2 app3; do
    check "$app's agent applied nothing since node1 came back" \
        fails agent_logged_since "$app" "$(cat "$H/$app.lines")" "updated: "
done

for app in app1 app2 app3; do check "$app's agent ends on SIGTERM" agent_stop "$app"; done
harness_summary
