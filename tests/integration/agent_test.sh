#!/usr/bin/env bash
# pgdeploy agent against real servers: a deploy publishes the state to etcd, and agents on the
# app servers install their fragments from it in front of real PgBouncers: once, and watching
# through a promotion, an etcd restart, and values that are not pgdeploy's; the local fencing
# keeps a fragment of a newer epoch in place, and a reload that fails puts the file back.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_three_nodes
start_etcd
pgbouncer_start app1
pgbouncer_start app2
app_server_add app1 101
app_server_add app2 102
# The SSH push of the same runs writes to other directories: what PgBouncer includes
# (app_NAME/conf/main.ini) is the agents' alone, each given --config-dir.
for app in app1 app2; do
    as_user mkdir -p "$H/pushed_$app"
    app_server_set "$app" config_dir "$(sql_lit "$H/pushed_$app")"
    app_server_set "$app" reload_command "'true'"
done
keys=/pgdeploy/main/

# pgdeploy agent for app server APP, in front of its PgBouncer; output in $H/agent.out.
agent_args() {
    echo agent -c main --etcd "$ETCD_ENDPOINT" --name "$1" --config-dir "$H/app_$1/conf"
}
console_of() { echo "host=127.0.0.1 port=$(bouncer_port "$1") user=$TEST_USER"; }
agent_once() {
    local app=$1
    shift
    RC=0
    # shellcheck disable=SC2046 # the words of agent_args
    as_user "$PGDEPLOY" $(agent_args "$app") --once "$@" >"$H/agent.out" 2>&1 || RC=$?
    sed 's/^/#   | /' "$H/agent.out"
}
ack_of() { etcd_ctl get --print-value-only "${keys}agents/$1"; }
ack_says() { ack_of "$1" | json_says "$2"; }
fragment() { cat "$H/app_$1/conf/main.ini"; }
# A write to appdb through PgBouncer APP; prints the port of the server it landed on. Bounded:
# a query through PgBouncer may wait for a server far longer.
write_via() {
    as_user timeout 5 "$PG_BINDIR/psql" -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 \
        -p "$(bouncer_port "$1")" -U "$TEST_USER" -d appdb \
        -c "WITH w AS (INSERT INTO writes (at) VALUES (current_setting('port')) RETURNING at) SELECT at FROM w"
}
writes_land_on() { [ "$(write_via "$1" 2>/dev/null)" = "$(pg_port "$2")" ]; }
sysid=$(pg_psql node1 postgres "SELECT system_identifier FROM pg_control_system()")

echo "# a deploy publishes; agent --once installs app1's fragment and reloads through the console"
publish_on node1
check_eq "the publish: exit status 0" 0 "$RC"
agent_once app1 --admin-conninfo "$(console_of app1)"
check_eq "the agent: exit status 0" 0 "$RC"
check "the fragment names node1 on timeline 1" \
    grep -q "^; Primary: node 1 (node1) at 127.0.0.1:$(pg_port node1)\$" "$H/app_app1/conf/main.ini"
check "its mode is 0640" test "$(stat -c %a "$H/app_app1/conf/main.ini")" = 640
check "writes through app1's PgBouncer land on node1" writes_land_on app1 node1
check "the ack: updated, node1's epoch" \
    ack_says app1 ".result == \"updated\" and .epoch.timeline == 1 and .epoch.primary_id == 1 and .epoch.system_identifier == \"$sysid\" and .revision > 0"
check "the ack has a UTC time" ack_says app1 '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")'
check "the ack is on a lease" test "$(etcd_ctl get "${keys}agents/app1" -w json | jq -r '.kvs[0].lease')" != null
cp "$H/app_app1/conf/main.ini" "$H/app1.kept"
agent_once app1 --admin-conninfo "$(console_of app1)"
check_eq "again: exit status 0" 0 "$RC"
check "again: unchanged" ack_says app1 '.result == "unchanged"'
check "the file was not rewritten" cmp -s "$H/app1.kept" "$H/app_app1/conf/main.ini"

echo "# a name without a row: exit 3, the key named"
agent_once app9
check_eq "exit status 3" 3 "$RC"
check "the message names the key" grep -q "${keys}app_servers/app9 is missing" "$H/agent.out"

echo "# a watching agent for app2 (reload by signal) follows a promotion"
# shellcheck disable=SC2016,SC2046 # expanded by the inner shell; the words of agent_args
as_user sh -c 'echo $$ >"$1"; shift; exec "$@" >>"$H/agent_app2.log" 2>&1' agent \
    "$H/agent_app2.pid" "$PGDEPLOY" $(agent_args app2) -v --reread 3600 \
    --reload-command "$(bouncer_reload_command app2)" &
check "app2's agent installs node1" wait_until 10 routes_to app2 node1
check "its ack says updated" wait_until 5 ack_says app2 '.result == "updated" and .epoch.timeline == 1'
agent_pid=$(cat "$H/agent_app2.pid")
check_eq "the front end handed it to the agent program" \
    "$H/libexec/pgdeploy/pgdeploy-agent" "$(readlink "/proc/$agent_pid/exe")"
# The agent program's footprint (README.md, "The agent's footprint"): no SSH library, and the
# C++ runtime linked in.
maps_no() { ! grep -q "/$1" "/proc/$agent_pid/maps"; }
check "it maps no libssh" maps_no libssh.so
check "it maps no libstdc++" maps_no 'libstdc++.so'
pg_stop node1
repmgr_as node2 standby promote
started=$(now_ms)
publish_on node2
check_eq "the publish after the promotion: exit status 0" 0 "$RC"
moved=
for _ in $(seq 100); do
    if writes_land_on app2 node2; then moved=$(now_ms); break; fi
    sleep 0.05
done
check "writes through app2's PgBouncer land on node2" test -n "$moved"
echo "# from the publish's start to the first write on node2 through app2: $((${moved:-0} - started)) ms"
timeline=$(pg_timeline node2)
check "app2's ack shows the new timeline $timeline" \
    wait_until 5 ack_says app2 ".result == \"updated\" and .epoch.timeline == $timeline and .epoch.primary_id == 2"
reads() { grep -c "read of ${keys}epoch and 3 more keys" "$H/agent_app2.log"; }
check_eq "it applied the promotion from its watch: still only its first read" 1 "$(reads)"
agent_once app1 --admin-conninfo "$(console_of app1)"
check_eq "app1's agent --once: exit status 0" 0 "$RC"
check "writes through app1's PgBouncer land on node2" writes_land_on app1 node2

echo "# a re-read that finds app2's state in place does not rewrite its acknowledgement"
ack_revision() { etcd_ctl get "${keys}agents/$1" -w json | jq -r '.kvs[0].mod_revision'; }
not_rewritten() { grep -c "acknowledgement in place says the same; not rewritten" "$H/agent_app2.log"; }
more_not_rewritten() { [ "$(not_rewritten)" -gt "$1" ]; }
before=$(ack_revision app2)
quiet=$(not_rewritten || true)
# Another app server's row written again: not a key app2's agent reads, so it stays asleep.
etcd_ctl put "${keys}app_servers/app1" "$(etcd_ctl get --print-value-only "${keys}app_servers/app1")" >/dev/null
sleep 1
check "a change of app1's row does not make app2's agent read" test "$(not_rewritten || true)" = "$quiet"
# The same value written again to a key it reads: an event, so it applies the state again.
etcd_ctl put "${keys}databases" "$(etcd_ctl get --print-value-only "${keys}databases")" >/dev/null
check "app2's agent applied the state again" wait_until 5 more_not_rewritten "$quiet"
check "its acknowledgement was not rewritten (mod_revision $before)" test "$(ack_revision app2)" = "$before"

echo "# one large watch message (120 other rows of 1.2 KB in one revision): its memory is returned"
rss_anon() { awk '/^RssAnon:/ { print $2 }' "/proc/$agent_pid/status"; }
anon_before=$(rss_anon)
quiet=$(not_rewritten || true)
filler=$(printf '%*s' 1200 '' | tr ' ' f)
{
    echo
    for i in $(seq 120); do echo "put ${keys}app_servers/filler$i $filler"; done
    echo "put ${keys}databases $(etcd_ctl get --print-value-only "${keys}databases")"
    printf '\n\n'
} | etcd_ctl txn >/dev/null
check "app2's agent applied the revision" wait_until 5 more_not_rewritten "$quiet"
sleep 0.2
anon_after=$(rss_anon)
echo "# app2's agent, RssAnon: $anon_before KiB before, $anon_after KiB after"
check "it kept less than 512 KiB more" test $((anon_after - anon_before)) -lt 512
etcd_ctl del --prefix "${keys}app_servers/filler" >/dev/null

echo "# local fencing: a fragment in place of a newer epoch is never replaced"
cp "$H/app_app1/conf/main.ini" "$H/app1.current"
sed "s/^; Epoch: timeline $timeline,/; Epoch: timeline $((timeline + 5)),/" "$H/app1.current" |
    write_as_user "$H/app_app1/conf/main.ini"
cp "$H/app_app1/conf/main.ini" "$H/app1.kept"
agent_once app1 --admin-conninfo "$(console_of app1)"
check_eq "exit status 4" 4 "$RC"
check "the refusal names the file and its newer timeline" \
    grep -q "$H/app_app1/conf/main.ini.*timeline $((timeline + 5))" "$H/agent.out"
check "the file is unchanged" cmp -s "$H/app1.kept" "$H/app_app1/conf/main.ini"
check "the ack says refused" ack_says app1 '.result == "refused"'
write_as_user "$H/app_app1/conf/main.ini" <"$H/app1.current"

echo "# a reload that does not take: the previous file is put back"
sed '$d' "$H/app1.current" | write_as_user "$H/app_app1/conf/main.ini"
cp "$H/app_app1/conf/main.ini" "$H/app1.kept"
agent_once app1 --reload-command false
check_eq "exit status 1" 1 "$RC"
check "the message says the previous file was put back" \
    grep -q "reload command failed (status 1): false; the previous file was put back" "$H/agent.out"
check "the file in place is the previous one" cmp -s "$H/app1.kept" "$H/app_app1/conf/main.ini"
check "the ack says failed, in the reload" ack_says app1 '.result == "failed" and (.reason | startswith("reload: "))'
write_as_user "$H/app_app1/conf/main.ini" <"$H/app1.current"

echo "# etcd stopped while app2's agent watches, then started: it catches up"
stop_etcd
sleep 2
pg_psql node2 postgres "CREATE DATABASE newdb" >/dev/null
start_etcd
publish_on node2
check_eq "the publish with newdb: exit status 0" 0 "$RC"
check "app2's fragment routes newdb" wait_until 10 grep -q "^newdb = " "$H/app_app2/conf/main.ini"
check "the agent said etcd was unreachable and kept the file" \
    grep -q "the fragment in place stays" "$H/agent_app2.log"

echo "# a corrupted value under the prefix: refused, named, nothing applied"
cp "$H/app_app2/conf/main.ini" "$H/app2.kept"
cp "$H/app_app1/conf/main.ini" "$H/app1.kept"
etcd_ctl put "${keys}primary" 'not json' >/dev/null
check "app2's agent acknowledges the failure naming the key" \
    wait_until 5 ack_says app2 ".result == \"failed\" and (.reason | contains(\"${keys}primary\"))"
check "app2's file is unchanged" cmp -s "$H/app2.kept" "$H/app_app2/conf/main.ini"
agent_once app1 --admin-conninfo "$(console_of app1)"
check_eq "app1's agent --once: exit status 3" 3 "$RC"
check "the message names the key" grep -q "${keys}primary is not a JSON object pgdeploy wrote" "$H/agent.out"
check "app1's file is unchanged" cmp -s "$H/app1.kept" "$H/app_app1/conf/main.ini"

echo "# the watching agent keeps its acknowledgement's lease alive"
lease_alive() {
    local out
    out=$(etcd_ctl lease timetolive "$1") && grep -q "remaining(" <<<"$out"
}
# The lease's seconds to live: "lease 694d… granted with TTL(30s), remaining(28s)".
lease_remaining() { etcd_ctl lease timetolive "$1" | sed -n 's/.*remaining(\(-\{0,1\}[0-9]*\)s).*/\1/p'; }
# Read as text: jq's numbers are doubles, and lease IDs use all 64 bits.
lease=$(printf '%x' "$(etcd_ctl get "${keys}agents/app2" -w json | grep -o '"lease":[0-9]*' | cut -d: -f2)")
check "the ack's lease $lease is alive" lease_alive "$lease"
sleep 12
# Granted with 30 s; renewed every 10 s, so 12 s later it has more than 30 - 12 left.
remaining=$(lease_remaining "$lease")
echo "# remaining TTL 12 s later: ${remaining:-none} s"
check "12 s later it was renewed: more than 18 s left" test "${remaining:-0}" -gt 18
check "and the ack is still there" test -n "$(ack_of app2)"
echo "# SIGTERM stops the watching agent, and its acknowledgement goes with it"
kill -TERM "$(cat "$H/agent_app2.pid")"
check "it exits" wait_until 5 fails kill -0 "$(cat "$H/agent_app2.pid")"
check "its lease is revoked" fails lease_alive "$lease"
check "its acknowledgement is gone" test -z "$(ack_of app2)"

harness_summary
