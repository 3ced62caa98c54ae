#!/usr/bin/env bash
# The publisher's side of pull mode against real servers: app_servers rows with delivery
# 'agent' are never pushed over SSH; a run with only such rows opens no SSH connection and
# loads no key; --wait-agents waits on etcd's watch for the agents' acknowledgements (written
# here with etcdctl, as an agent writes them: on a lease); status shows agent rows from their
# acknowledgements; doctor checks etcd, the prefix and every acknowledgement.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_primary
start_etcd
pgbouncer_start app1
pgbouncer_start app2
app_server_add app1 101
app_server_add app2 102
app_server_set app1 reload_command "$(sql_lit "$(bouncer_reload_command app1)")"
# app2 could be pushed over SSH (it reloads by signal): only its delivery keeps it from that.
app_server_set app2 reload_command "$(sql_lit "$(bouncer_reload_command app2)")"
app_server_set app2 delivery "'agent'"
sysid=$(pg_psql node1 postgres "SELECT system_identifier FROM pg_control_system()")
keys=/pgdeploy/main/
cp "$H/app_app2/conf/main.ini" "$H/app2.kept"

# Writes agent NAME's acknowledgement on a lease of 60 s: RESULT [REASON [TIMELINE [NODE]]].
# The revision of the published state, as an agent acknowledges it: the epoch key's.
state_revision() { etcd_ctl get "${keys}epoch" -w json | jq '.kvs[0].mod_revision // 0'; }
ack() {
    local lease value
    lease=$(etcd_ctl lease grant 60 | awk '{print $2}')
    value=$(jq -cn --arg s "$sysid" --arg r "$2" --arg why "${3:-}" \
        --argjson tl "${4:-1}" --argjson node "${5:-1}" --argjson rev "$(state_revision)" \
        '{epoch: {system_identifier: $s, timeline: $tl, lsn: "0/0", primary_id: $node},
          revision: $rev, result: $r, reason: $why, time: "2026-11-28T18:00:00Z"}')
    etcd_ctl put --lease="$lease" "${keys}agents/$1" "$value" >/dev/null
    echo "$lease" >"$H/lease_$1"
}
revoke() { etcd_ctl lease revoke "$(cat "$H/lease_$1")" >/dev/null; }
app2_untouched() { cmp -s "$H/app2.kept" "$H/app_app2/conf/main.ini"; }
# status and doctor: stdout in $H/stdout, stderr in $H/out.
run_sub() {
    RC=0
    as_user "$PGDEPLOY" "$@" -c main -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/stdout" 2>"$H/out" || RC=$?
    sed 's/^/#   | /' "$H/stdout" "$H/out"
}

echo "# agent rows and no --etcd: app1 pushed, nothing delivers to app2: exit 1 naming it"
run_pgdeploy
check_eq "exit status 1" 1 "$RC"
check "the warning names app2" \
    grep -q "app_servers rows with delivery agent and no --etcd: nothing delivers to app2" "$H/out"
check "app2 failed: not delivered" grep -q "app2 (127.0.0.1, agent): FAILED .*not delivered" "$H/out"
check "app1 routes to node1" wait_until 5 routes_to app1 node1
check "app2's fragment was not pushed over SSH" app2_untouched

echo "# with --etcd: published, app2 left to its agent"
run_pgdeploy --etcd "$ETCD_ENDPOINT"
check_eq "exit status 0" 0 "$RC"
check "app2's row is published" test -n "$(etcd_ctl get --print-value-only "${keys}app_servers/app2")"
check "app2's fragment was not pushed over SSH" app2_untouched

echo "# --wait-agents needs a deploy with --etcd"
run_pgdeploy --wait-agents 5
check_eq "without --etcd: exit status 2" 2 "$RC"
check "the message says what it is for" grep -q -- "--wait-agents waits after a publish" "$H/out"

echo "# --wait-agents and no acknowledgement: exit 1 naming app2 after the wait"
start=$(now_ms)
run_pgdeploy --etcd "$ETCD_ENDPOINT" --wait-agents 2
elapsed=$(($(now_ms) - start))
check_eq "exit status 1" 1 "$RC"
check "app2 is named" grep -q "app2 (127.0.0.1, agent): FAILED .*agent: no acknowledgement within 2 s" "$H/out"
check "the run waited the 2 s, not much more ($elapsed ms)" test "$elapsed" -ge 2000 -a "$elapsed" -lt 8000

echo "# an acknowledgement of the new epoch written while the run waits: exit 0"
(sleep 3 && ack app2 updated) &
writer=$!
start=$(now_ms)
run_pgdeploy --etcd "$ETCD_ENDPOINT" --wait-agents 20 --json
elapsed=$(($(now_ms) - start))
wait "$writer"
check_eq "exit status 0" 0 "$RC"
check "the watch saw it at once, no 20 s wait ($elapsed ms)" test "$elapsed" -lt 10000
check_eq "--json: app2's result from its acknowledgement" "agent updated" \
    "$(sed -n '/^{/,$p' "$H/out" | jq -r '.hosts[] | select(.name == "app2") | "\(.delivery) \(.action)"')"

echo "# an acknowledgement of the same epoch from before a publish of new routes does not count"
ack app2 updated
before=$(state_revision)
pg_psql node1 postgres "CREATE DATABASE routes_changed" >/dev/null
run_pgdeploy --etcd "$ETCD_ENDPOINT" --wait-agents 1
check_eq "exit status 1" 1 "$RC"
check "the publish moved the state past revision $before" test "$(state_revision)" -gt "$before"
check "app2 is named, with the revision waited for" \
    grep -q "app2 (127.0.0.1, agent): FAILED .*no acknowledgement of timeline 1 of node 1 at revision $(state_revision) or later within 1 s" "$H/out"
pg_psql node1 postgres "DROP DATABASE routes_changed" >/dev/null
run_pgdeploy --etcd "$ETCD_ENDPOINT"

echo "# an acknowledgement of another epoch, or a failure: exit 1 with the agent's reason"
ack app2 updated "" 1 7
run_pgdeploy --etcd "$ETCD_ENDPOINT" --wait-agents 1
check_eq "another primary's epoch: exit status 1" 1 "$RC"
check "it names the last acknowledgement" \
    grep -q "app2 (127.0.0.1, agent): FAILED .*the last one: node 7, timeline 1, updated" "$H/out"
ack app2 failed "reload: pgbouncer is not running"
run_pgdeploy --etcd "$ETCD_ENDPOINT" --wait-agents 5
check_eq "a failed acknowledgement: exit status 1" 1 "$RC"
check "its reason is shown" \
    grep -q "app2 (127.0.0.1, agent): FAILED .*agent: failed: reload: pgbouncer is not running" "$H/out"

echo "# status: app2 from its acknowledgement"
ack app2 unchanged
run_sub status --etcd "$ETCD_ENDPOINT"
check_eq "exit status 0" 0 "$RC"
check "app2's row shows the acknowledgement, current" \
    grep -Eq '^app2 +127\.0\.0\.1 +ack: node 1, timeline 1, unchanged, lease alive +yes +- \(agent\) ' "$H/stdout"
run_sub status --etcd "$ETCD_ENDPOINT" --json
check_eq "--json: delivery, result and lease" "agent unchanged true true" \
    "$(jq -r '.hosts[] | select(.name == "app2") | "\(.delivery) \(.ack.result) \(.ack.lease_alive) \(.current)"' "$H/stdout")"
run_sub status
check_eq "without --etcd: exit status 1" 1 "$RC"
check "app2 is unknown and explained" grep -q "^app2: agent: read from etcd, and this run has no --etcd" "$H/stdout"

echo "# doctor: etcd answers, the prefix is writable, app2 acknowledges"
run_sub doctor --etcd "$ETCD_ENDPOINT"
check "etcd answers" grep -q '^\[PASS\] etcd: answers' "$H/stdout"
check "the prefix is writable" grep -q '^\[PASS\] etcd: the prefix is writable' "$H/stdout"
check "the probe key is gone" test -z "$(etcd_ctl get --keys-only "${keys}doctor-probe")"
check "app2 acknowledges" grep -q '^\[PASS\] app2 (127.0.0.1, agent): its agent acknowledges' "$H/stdout"
run_sub doctor
check_eq "without --etcd: exit status 1" 1 "$RC"
check "it fails naming app2" grep -q '^\[FAIL\] etcd: the agent rows are delivered.*app2' "$H/stdout"

echo "# the lease expired: no acknowledgement in status and doctor"
revoke app2
run_sub status --etcd "$ETCD_ENDPOINT"
check_eq "status: exit status 1" 1 "$RC"
check "app2 has no acknowledgement" grep -Eq '^app2 +127\.0\.0\.1 +no acknowledgement +NO ' "$H/stdout"
run_sub doctor --etcd "$ETCD_ENDPOINT"
check_eq "doctor: exit status 1" 1 "$RC"
check "doctor fails app2" \
    grep -q '^\[FAIL\] app2 (127.0.0.1, agent): its agent acknowledges.*no acknowledgement' "$H/stdout"

echo "# only agent rows: no SSH connection, no key loaded"
app_server_set app1 delivery "'agent'"
ack app1 unchanged
ack app2 unchanged
connections=$(sshd_connections)
RC=0
as_user "$PGDEPLOY" -c main -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" -v \
    --ssh-key /nonexistent --known-hosts /nonexistent \
    --etcd "$ETCD_ENDPOINT" --wait-agents 5 >"$H/out" 2>&1 || RC=$?
sed 's/^/#   | /' "$H/out"
check_eq "exit status 0, though the key does not exist" 0 "$RC"
check "-v says so" grep -q "every enabled app server is an agent row: no SSH connection" "$H/out"
check_eq "sshd saw no connection" "$connections" "$(sshd_connections)"
check "both acknowledged" grep -q "app1 (127.0.0.1, agent): unchanged" "$H/out"

echo "# an unknown delivery in an old table without the CHECK: that row fails, named"
pg_psql node1 repmgr "ALTER TABLE repmgr.app_servers DROP CONSTRAINT app_servers_delivery_check" >/dev/null
app_server_set app1 delivery "'pigeon'"
run_pgdeploy --etcd "$ETCD_ENDPOINT"
check_eq "exit status 1" 1 "$RC"
check "the row and the value are named" \
    grep -q "app1 (127.0.0.1): FAILED .*delivery is neither ssh nor agent: pigeon" "$H/out"

harness_summary
