#!/usr/bin/env bash
# hyperfine --prepare for bench/agents: puts the fleet in the state a measured run starts from.
#
# Usage: agents-prepare.sh CONF N MODE
#   CONF  shell assignments written by bench/agents (database, etcd, fleet directory)
#   MODE  agent   every row delivery 'agent'; waits until the N agents have acknowledged the
#                 last publish, deletes their acknowledgements, and creates the database
#                 bench_flip if the published routes lack it, else drops it: the next
#                 publish changes the routes of every fragment (deleted, so that the next
#                 settle counts only acknowledgements of the next publish)
#         flip    every row delivery 'agent'; the database flipped as above, without waiting
#                 for the agents (they may be stopped)
#         ssh     every row delivery 'ssh'; every fragment made to drift (drift.sh)
#         settle  waits until the N agents have acknowledged (nothing measured afterwards
#                 shares the cores with agents still at work)
set -euo pipefail
# shellcheck source=/dev/null # the CONF file bench/agents writes
. "$1"
n=$2 mode=$3
export ETCDCTL_API=3
psql_meta() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$@"; }
etcd() { etcdctl --endpoints="$ETCD_ENDPOINT" --command-timeout=5s "$@"; }
acks() { etcd get --prefix --keys-only -w json "$ETCD_BASE/agents/" | jq -r '.count // 0'; }
# An agent acknowledges every publish, deleted acknowledgement or not: at most 30 s.
settle() {
    local i
    for ((i = 0; i < 600; i++)); do
        [ "$(acks)" -ge "$n" ] && return 0
        sleep 0.05
    done
    echo "agents-prepare.sh: only $(acks) of $n agents acknowledged within 30 s" >&2
    exit 1
}
delivery() {
    psql_meta -d repmgr -c "UPDATE repmgr.app_servers SET delivery = '$1' WHERE delivery <> '$1'"
}

# Creates bench_flip if the published routes lack it, else drops it: the opposite of what
# is published (not of what exists: a prepare without a run after it must not undo the
# previous one's change).
flip() {
    if etcd get --print-value-only "$ETCD_BASE/databases" | jq -e '.names | index("bench_flip")' >/dev/null; then
        psql_meta -d postgres -c 'DROP DATABASE IF EXISTS bench_flip'
    else
        psql_meta -d postgres <<'SQL'
SELECT 'CREATE DATABASE bench_flip' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'bench_flip') \gexec
SQL
    fi
}

case $mode in
agent)
    delivery agent
    settle
    etcd del --prefix "$ETCD_BASE/agents/" >/dev/null
    flip
    ;;
flip)
    delivery agent
    flip
    ;;
ssh)
    delivery ssh
    "$(dirname "${BASH_SOURCE[0]}")/drift.sh" "$FLEET" "$n"
    ;;
settle) settle ;;
*) echo "agents-prepare.sh: unknown mode $mode" >&2; exit 2 ;;
esac
