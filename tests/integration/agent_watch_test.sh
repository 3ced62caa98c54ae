#!/usr/bin/env bash
# What a watching agent receives from etcd: the published keys, not the other agents'
# acknowledgements (with N agents, each acknowledgement would be an event for all N). The
# bytes its connections receive are counted (ss -ti) while other agents acknowledge; a change
# of the published routes is still applied and acknowledged, reading none of them (strace).
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_primary
start_etcd
app_server_add app1 101
app_server_set app1 delivery "'agent'"
keys=/pgdeploy/main/
as_user mkdir -p "$H/conf1"
run_pgdeploy --etcd "$ETCD_ENDPOINT"
check_eq "the first publish: exit status 0" 0 "$RC"

# shellcheck disable=SC2016 # expanded by the inner shell
as_user sh -c 'echo $$ >"$1"; shift; exec "$@" >"$H/agent.log" 2>&1' agent "$H/agent.pid" \
    "$PGDEPLOY" agent -c main --etcd "$ETCD_ENDPOINT" --name app1 --config-dir "$H/conf1" \
    --reload-command true &
wait_until 5 test -s "$H/agent.pid"
pid=$(cat "$H/agent.pid")
cat "$H/agent.pid" >>"$H/blockers"
acked_since() { # the agent's acknowledgement is of revision $1 or later
    etcd_ctl get --print-value-only "${keys}agents/app1" | jq -e --argjson r "$1" '.revision >= $r' >/dev/null
}
check "the agent acknowledges the published state" wait_until 10 acked_since 1
# Bytes the agent's open TCP connections received (the watch's is the one that lasts).
read_bytes() {
    ss -tinpH | awk -v p="pid=$pid," '
        index($0, p) { mine = 1; next }
        mine { for (i = 1; i <= NF; i++) if ($i ~ /^bytes_received:/) { sub(/.*:/, "", $i); n += $i }; mine = 0 }
        END { print n + 0 }'
}

echo "# 40 other agents acknowledge, 16 KiB each: the agent reads next to none of it"
sleep 1
before=$(read_bytes)
value=$(head -c 12288 /dev/zero | base64 -w0)
for k in $(seq 2 41); do
    etcd_ctl put "${keys}agents/app$k" "{\"result\":\"updated\",\"pad\":\"$value\"}" >/dev/null
done
sleep 1
read=$(($(read_bytes) - before))
check "the agent read less than 64 KiB ($read bytes) of the 640 KiB written" test "$read" -lt 65536
check "the agent is still running" kill -0 "$pid"

echo "# a database created and published: the agent applies and acknowledges it, and its"
echo "# read of the state leaves the 40 acknowledgements out"
pg_psql node1 postgres "CREATE DATABASE otherdb" >/dev/null
strace -qq -p "$pid" -e trace=recvfrom,read -o "$H/agent.strace" &
tracer=$!
sleep 1
run_pgdeploy --etcd "$ETCD_ENDPOINT"
check_eq "the publish: exit status 0" 0 "$RC"
since=$(etcd_ctl get -w json "${keys}databases" | jq -r '.kvs[0].mod_revision')
check "the agent acknowledges the new revision" wait_until 10 acked_since "$since"
kill "$tracer"
wait "$tracer" || true
read=$(awk '/^(recvfrom|read)\(/ && $NF ~ /^[0-9]+$/ { n += $NF } END { print n + 0 }' "$H/agent.strace")
check "the agent read less than 64 KiB ($read bytes) to apply it" test "$read" -lt 65536
check "its fragment routes otherdb" grep -q "^otherdb = " "$H/conf1/main.ini"

harness_summary
