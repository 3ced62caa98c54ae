#!/usr/bin/env bash
# A guided tour of a failover with pgdeploy, on a throwaway local cluster:
# two PostgreSQL nodes managed by repmgr, one application server running
# PgBouncer behind sshd, then a second one whose agent pulls its fragment from
# etcd; everything on loopback in a temporary directory that is removed at the
# end (also on Ctrl-C). Run as root or with sudo.
#
# Every command it shows is the command it ran, as the user the servers run as.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
demo_started=$EPOCHREALTIME

# Colour only for a terminal: a log file or a pipe gets plain text.
if [ -t 1 ]; then
    bold=$'\033[1m' plain=$'\033[0m'
else
    bold='' plain=''
fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
say() { printf '   %s\n' "$*"; }
indent() { sed 's/^/     /'; }
# Seconds since the EPOCHREALTIME value $1, with one decimal.
seconds_since() {
    local ms=$(((${EPOCHREALTIME/[.,]/} - ${1/[.,]/}) / 1000))
    printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100))
}

# WORDS as a reader would type them: a word with anything special quoted, in double quotes
# when nothing in it is special there (SQL's single quotes), else in single quotes.
command_line() {
    local word line=''
    for word in "$@"; do
        if [[ $word =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
            line+=" $word"
        elif [[ $word != *[\"\$\`\\!]* ]]; then
            line+=" \"$word\""
        else
            line+=" '${word//\'/\'\\\'\'}'"
        fi
    done
    printf '%s' "${line# }"
}

# What pgdeploy logged in the hook's log file LOG: its info lines and up, and the closing
# line, which is a debug line when every host was current already.
hook_report() {
    grep -E ': (info|warning|error|critical): |: debug: cluster ' "$1" | indent
}

# Prints COMMAND, runs it as the servers' user with the demo's PATH and indents its output.
# A failing command does not end the tour: its exit status is shown.
run() {
    local status=0
    printf '   $ %s\n' "$(command_line "$@")"
    as_user env PATH="$demo_path" "$@" 2>&1 | indent || status=$?
    [ "$status" = 0 ] || say "(exit status $status)"
    return 0
}

# Shows cmake's progress: one line rewritten in place on a terminal, else a line every 10%.
build_progress() {
    local line percent shown=-10
    while IFS= read -r line; do
        [[ $line =~ ^\[\ *([0-9]+)%\] ]] || continue
        percent=${BASH_REMATCH[1]}
        if [ -t 1 ]; then
            printf '\r\033[K   %.70s' "$line"
        elif ((percent >= shown + 10)); then
            say "$line"
            shown=$percent
        fi
    done
    if [ -t 1 ]; then printf '\r\033[K'; fi
}

step "Installing what is missing and building pgdeploy"
"$root/packaging/install-deps"
build_started=$EPOCHREALTIME
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
build_log=$(mktemp)
if ! cmake --build "$build" -j"$(nproc)" 2>&1 | tee "$build_log" | build_progress; then
    tail -n 40 "$build_log"
    rm -f "$build_log"
    exit 1
fi
rm -f "$build_log"
build_time=$(seconds_since "$build_started")
say "built in $build_time"
export PGDEPLOY_BIN=$build/pgdeploy
# shellcheck source=integration/harness.sh
. "$root/tests/integration/harness.sh"
# A demo with a server missing fails, naming the package, instead of skipping.
export HARNESS_MISSING=fail
harness_init
tour_started=$EPOCHREALTIME
demo_path=$H/bin:$PG_BINDIR:$PATH
say "Everything below runs in $H as the user $TEST_USER, with"
say "PATH=$H/bin:$PG_BINDIR:\$PATH (pgdeploy, repmgr, psql, pg_ctl)."

step "1. A repmgr cluster: node1 is the primary, node2 a streaming standby"
pg_start node1
repmgr_register_primary node1 1
repmgr_clone_standby node2 2 node1
pg_psql node1 postgres "CREATE DATABASE appdb" >/dev/null
pg_psql node1 appdb "CREATE TABLE orders (id serial PRIMARY KEY, placed_on text)" >/dev/null
run repmgr -f "$H/repmgr_node2.conf" cluster show --compact

step "2. An application server: PgBouncer, reachable over SSH, listed in repmgr.app_servers"
sshd_start
pgbouncer_start app1
app_server_add app1 101
app_server_set app1 admin_conninfo "$(sql_lit "host=127.0.0.1 port=$(bouncer_port app1) user=$TEST_USER")"
app_server_set app1 pgbouncer_ini "$(sql_lit "$H/app_app1/pgbouncer.ini")"
run psql -X -h 127.0.0.1 -p "$(pg_port node1)" -d repmgr \
    -c "SELECT node_name, ip_addr, ssh_port, config_dir FROM repmgr.app_servers"

step "3. repmgr runs pgdeploy on every event; this is the line in each node's repmgr.conf"
for node in node1 node2; do repmgr_enable_hook "$node"; done
grep '^event_notification_command' "$H/repmgr_node2.conf" | indent

# Where a client of appdb lands through app server APP's PgBouncer (default app1).
where() {
    run psql -X -At -h 127.0.0.1 -p "$(bouncer_port "${1:-app1}")" -d appdb -c "SELECT 'writes go to port ' || current_setting('port') || CASE WHEN pg_is_in_recovery() THEN ' (standby)' ELSE ' (primary)' END"
}
# pgdeploy [SUBCOMMAND] with node NODE's repmgr.conf and the demo's SSH key and known_hosts.
pgdeploy_on() {
    local node=$1
    shift
    run pgdeploy "$@" -c main -f "$H/repmgr_$node.conf" --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS"
}

step "4. pgdeploy points PgBouncer at the primary (run by hand once)"
pgdeploy_on node1
say "The fragment on app1:"
run cat "$H/app_app1/conf/main.ini"
where
say "(node1 listens on $(pg_port node1), node2 on $(pg_port node2))"
say "pgdeploy doctor checks every piece of the setup before a failover needs it:"
pgdeploy_on node1 doctor

step "5. The primary fails"
run pg_ctl -w -m fast -D "$H/pg_node1" stop

step "6. repmgr promotes the standby; its standby_promote event runs pgdeploy on node2"
started=$EPOCHREALTIME
run repmgr -f "$H/repmgr_node2.conf" standby promote
say "repmgr standby promote returned after $(seconds_since "$started"); pgdeploy's report, from the hook:"
hook_report "$H/hook_node2.log"
run repmgr -f "$H/repmgr_node2.conf" cluster show --compact

step "7. Applications already write to the new primary"
pgdeploy_on node2 status
where
run psql -X -h 127.0.0.1 -p "$(bouncer_port app1)" -d appdb \
    -c "INSERT INTO orders (placed_on) VALUES ('after the failover') RETURNING id, placed_on"

step "8. The old primary comes back as a primary, without a rejoin"
say "Its own copy of the metadata still names it the primary. A run there (by the timer or"
say "by hand) asks the other nodes, finds node2 taking writes and refuses: exit 4."
run pg_ctl -w -D "$H/pg_node1" -l "$H/pg_node1.log" -o "-p $(pg_port node1)" start
pgdeploy_on node1
where

step "9. The way back: stop it and rejoin it as a standby of node2"
run pg_ctl -w -m fast -D "$H/pg_node1" stop
# Without a checkpoint on the new primary pg_rewind may find nothing to do and the rejoin hangs.
run psql -X -q -h 127.0.0.1 -p "$(pg_port node2)" -d postgres -c CHECKPOINT
run repmgr -f "$H/repmgr_node1.conf" node rejoin --force-rewind \
    -d "host=127.0.0.1 port=$(pg_port node2) user=$TEST_USER dbname=repmgr"
say "Its node_rejoin event ran pgdeploy on node1, which now reads the metadata on node2:"
hook_report "$H/hook_node1.log"
run repmgr -f "$H/repmgr_node1.conf" cluster show --compact
pgdeploy_on node1 status
where

step "10. Pull mode: a second application server whose agent watches etcd"
say "For fleets too large for one SSH push per host: the deploy publishes the state to etcd"
say "in one fenced transaction, and an agent on each app server installs its own fragment."
start_etcd
pgbouncer_start app2
run psql -X -h 127.0.0.1 -p "$(pg_port node2)" -d repmgr -c "INSERT INTO repmgr.app_servers
    (node_id, node_name, ip_addr, config_dir, delivery) VALUES (102, 'app2', '127.0.0.1', '$H/app_app2/conf', 'agent')"
agent=(pgdeploy agent -c main --etcd "$ETCD_ENDPOINT" --name app2 --config-dir "$H/app_app2/conf"
    --admin-conninfo "host=127.0.0.1 port=$(bouncer_port app2) user=$TEST_USER")
say "On app2 (a systemd unit, pgdeploy-agent@main.service, in the package):"
printf '   $ %s &\n' "$(command_line "${agent[@]}")"
as_user env PATH="$demo_path" "${agent[@]}" >>"$H/agent_app2.log" 2>&1 &
say "The hook on both nodes now publishes too; this is the line in repmgr.conf:"
for node in node1 node2; do
    as_user sed -i "s|^\(event_notification_command='[^ ]* \)|\1--etcd $ETCD_ENDPOINT |" "$H/repmgr_$node.conf"
done
grep '^event_notification_command' "$H/repmgr_node2.conf" | indent
say "A run by hand publishes, pushes app1 over SSH and waits for app2's acknowledgement:"
pgdeploy_on node2 --etcd "$ETCD_ENDPOINT" --wait-agents 10
run etcdctl --endpoints "$ETCD_ENDPOINT" get --prefix /pgdeploy/main/ --keys-only
run etcdctl --endpoints "$ETCD_ENDPOINT" get --print-value-only /pgdeploy/main/agents/app2
where app2

step "11. node2 fails; repmgr promotes node1: SSH moves app1, the agent moves app2"
run pg_ctl -w -m fast -D "$H/pg_node2" stop
started=$EPOCHREALTIME
run repmgr -f "$H/repmgr_node1.conf" standby promote
say "repmgr standby promote returned after $(seconds_since "$started")."
# The hook does not wait for the agents here (no --wait-agents): give app2's a moment.
wait_until 5 routes_to app2 node1 || true
say "The agent's log (its first line: it started before anything was published):"
grep -E ': (info|warning|error): ' "$H/agent_app2.log" | indent
pgdeploy_on node1 status --etcd "$ETCD_ENDPOINT"
where app1
where app2

step "Done in $(seconds_since "$demo_started") (building $build_time of it, the tour $(seconds_since "$tour_started")); removing the cluster"
