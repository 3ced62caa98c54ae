#!/usr/bin/env bash
# Benchmark: failover to traffic. How long clients writing through PgBouncer
# wait after the primary dies, with repmgrd failing over on its own and
# pgdeploy as its event_notification_command, against the same failover with
# the hook replaced by /bin/true and the client writing directly to the new
# primary's port. The difference is pgdeploy's share of the outage, PgBouncer's
# reconnection included.
#
#   bench/failover.sh [--runs K]          default K: 3
#
# Starts the integration harness once: three nodes (node1 primary, node2 and
# node3 standbys) with repmgrd on each (failover=automatic, monitor_interval_secs=1,
# reconnect_attempts=2, reconnect_interval=1, service_promote_command with pg_ctl -w),
# two PgBouncers, app1 reloading through its admin console and app2 by a reload_command
# over SSH (SIGHUP). Every run is two cycles, one with pgdeploy as the hook and one with
# /bin/true (repmgrd restarted in between), each:
#   failover    clients write in a loop (a fresh connection per INSERT, each bounded
#               with `timeout`) through both PgBouncers and directly to node2 and
#               node3; a write is committed on node1, node1 is killed (pg_ctl -m
#               immediate); measured: kill -> first committed write on the standby
#               repmgrd promoted (the one that received the most WAL), per client
#   switchover  node1 rejoins (CHECKPOINT on the new primary, `node rejoin
#               --force-rewind`) and takes over by `standby switchover --siblings-follow`
#               with repmgrd running; measured: start of the switchover -> first
#               committed write on node1, per client
# Both cycles run the same writers, and the PgBouncers are pointed at the primary by hand
# before each event, so the old primary carries the same writes. With /bin/true nothing
# re-points the PgBouncers: only the direct client counts.
# Prints median, min and max per client and pgdeploy's share (the median through
# PgBouncer minus the median of the direct client with /bin/true), and puts the
# table in bench/results.md as its section "Failover to traffic". Figures only:
# nothing here passes or fails on timing.
#
# Environment:
#   BENCH_RUNS=K         same as --runs K
#   BENCH_RESULTS=FILE   where the section goes (default bench/results.md; "-": nowhere)
#   BENCH_BUILD_DIR=DIR  build directory (default build-bench/ in the checkout)
#   PGDEPLOY_BIN=FILE    measure this binary instead of building one
#   KEEP_HARNESS=1       keep the harness's temporary directory
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/bench

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

runs=${BENCH_RUNS:-3}
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench/failover.sh: not a number of runs: '$runs'" >&2; exit 2; }
results=${BENCH_RESULTS:-$bench/results.md}

if [ -z "${PGDEPLOY_BIN:-}" ]; then
    "$bench/install-deps"
    PGDEPLOY_BIN=$("$bench/build.sh" "${BENCH_BUILD_DIR:-$root/build-bench}")
fi
export PGDEPLOY_BIN

# ---------------------------------------------------------------- servers

# shellcheck source=../tests/integration/harness.sh
. "$root/tests/integration/harness.sh"
export HARNESS_MISSING=fail  # a benchmark cannot skip
start_three_nodes
echo "# harness in $H"
for node in node1 node2 node3; do
    repmgr_enable_hook "$node"
    repmgrd_configure "$node"
    grep '^event_notification_command=' "$H/repmgr_$node.conf" >"$H/hook_line_$node"
done
start_app_servers app1 app2
run_pgdeploy
[ "$RC" = 0 ] || { echo "bench/failover.sh: the first deploy failed" >&2; exit 1; }

# Make every node's repmgr run HOOK (pgdeploy or /bin/true) and restart repmgrd, which reads its
# configuration once.
use_hook() {
    local node line
    for node in node1 node2 node3; do
        repmgrd_stop "$node"
        if [ "$1" = pgdeploy ]; then line=$(cat "$H/hook_line_$node"); else line="event_notification_command='/bin/true'"; fi
        as_user sed -i "/^event_notification_command=/d" "$H/repmgr_$node.conf"
        echo "$line" | as_user tee -a "$H/repmgr_$node.conf" >/dev/null
        repmgrd_start "$node"
    done
    for node in node1 node2 node3; do
        wait_until 30 repmgrd_active "$node" || { echo "bench/failover.sh: repmgrd on $node is not running" >&2; return 1; }
    done
    # A standby's repmgrd needs a moment to start monitoring its upstream.
    sleep 3
}

# Every cycle runs the same writers, so that both hooks see the same load: through both
# PgBouncers, and directly to each server that can become the primary (node2 and node3 in a
# failover: repmgrd elects the standby that received the most WAL). Only the clients that HOOK
# re-points are measured: with /bin/true nothing re-points the PgBouncers, so only the direct
# writer to the new primary counts.
bouncer_clients="app1 app2"
writers=""
writers_start() {
    local c node
    for c in $bouncer_clients; do writer_start "$c" "$(bouncer_port "$c")"; done
    for node in "$@"; do writer_start "direct_$node" "$(pg_port "$node")"; done
    writers="$bouncer_clients ${*/#/direct_}"
}
writers_stop() {
    local c
    for c in $writers; do writer_stop "$c"; done
}

# Point both PgBouncers at PRIMARY by hand before every event, whichever hook ran before, so
# that both cycles start alike and the same writes load the same server.
point_bouncers_at() {
    RC=0
    as_user "$PGDEPLOY" -q -c main -p "host=127.0.0.1 port=$(pg_port "$1") dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/out" 2>&1 || RC=$?
    [ "$RC" = 0 ] || { cat "$H/out" >&2; echo "bench/failover.sh: re-pointing at $1 failed" >&2; return 1; }
}

# Append "KIND HOOK CLIENT MS RUN" to $H/samples for every client of HOOK (app1, app2,
# direct): the time from SINCE to its first write on server TARGET.
record() {
    local kind=$1 hook=$2 target=$3 since=$4 c writer first
    for c in app1 app2 direct; do
        [ "$hook" = pgdeploy ] || [ "$c" = direct ] || continue
        writer=$c
        [ "$c" = direct ] && writer=direct_$target
        wait_until 90 first_write_on "$writer" "$target" "$since" >/dev/null ||
            { echo "bench/failover.sh: no write via $writer on $target" >&2; return 1; }
        first=$(first_write_on "$writer" "$target" "$since")
        echo "$kind $hook $c $((first - since)) $run" | tee -a "$H/samples" | sed 's/^/# /'
    done
}

# Wait until the writers have written through the PgBouncers (to the primary ON).
clients_ready() {
    local on=$1 since=$2 c
    for c in $bouncer_clients; do
        wait_until 30 first_write_on "$c" "$on" "$since" >/dev/null || { echo "bench/failover.sh: no write via $c" >&2; return 1; }
    done
}

# Print the standby that repmgrd promoted (node2 or node3), once one takes writes.
promoted_standby() {
    local node
    for node in node2 node3; do
        pg_is_primary "$node" && { echo "$node"; return 0; }
    done
    return 1
}

cycle() {
    local hook=$1 t0 node new sibling
    echo "# run $run, hook $hook: failover"
    point_bouncers_at node1
    t0=$(now_ms)
    writers_start node2 node3
    clients_ready node1 "$t0"
    t0=$(pg_kill_after_write node1)
    wait_until 60 promoted_standby >/dev/null || { echo "bench/failover.sh: no standby was promoted" >&2; return 1; }
    new=$(promoted_standby)
    sibling=node2
    [ "$new" = node2 ] && sibling=node3
    echo "# repmgrd promoted $new"
    record failover "$hook" "$new" "$t0"
    writers_stop
    wait_until 60 repmgr_primary_is "$new" "${new#node}" || { echo "bench/failover.sh: $new is not recorded as primary" >&2; return 1; }
    wait_until 90 pg_streams_from "$sibling" "$new" || { echo "bench/failover.sh: $sibling does not follow $new" >&2; return 1; }

    echo "# run $run, hook $hook: rejoin, switchover"
    pg_psql "$new" postgres CHECKPOINT >/dev/null
    repmgr_as node1 node rejoin -d "host=127.0.0.1 port=$(pg_port "$new") user=$TEST_USER dbname=repmgr" --force-rewind
    wait_until 60 pg_streams_from node1 "$new" || { echo "bench/failover.sh: node1 does not stream" >&2; return 1; }
    wait_until 30 repmgrd_active node1 || { echo "bench/failover.sh: repmgrd on node1 is not running" >&2; return 1; }
    point_bouncers_at "$new"
    t0=$(now_ms)
    writers_start node1
    clients_ready "$new" "$t0"
    t0=$(now_ms)
    repmgr_as node1 standby switchover --siblings-follow
    record switchover "$hook" node1 "$t0"
    writers_stop
    wait_until 60 repmgr_primary_is node1 1 || { echo "bench/failover.sh: node1 is not recorded as primary" >&2; return 1; }
    for node in node2 node3; do
        wait_until 90 pg_streams_from "$node" node1 || { echo "bench/failover.sh: $node does not follow node1" >&2; return 1; }
    done
    repmgrd_resume_after_switchover node1 node2 node3
    for node in node1 node2 node3; do
        wait_until 30 repmgrd_active "$node" || { echo "bench/failover.sh: repmgrd on $node is paused" >&2; return 1; }
    done
}

started=$SECONDS
: >"$H/samples"
for ((run = 1; run <= runs; run++)); do
    # Alternated, so that both hooks see the same load on a busy machine.
    for hook in pgdeploy true; do
        use_hook "$hook"
        cycle "$hook"
    done
done

# ---------------------------------------------------------------- report

# Print "median min max n" of the samples of KIND HOOK CLIENT.
stats() {
    awk -v k="$1" -v h="$2" -v c="$3" '$1 == k && $2 == h && $3 == c { print $4 }' "$H/samples" | sort -n |
        awk '{ v[NR] = $1 } END { if (!NR) exit 1
               m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
               printf("%.0f %d %d %d\n", m, v[1], v[NR], NR) }'
}
# Print the median over the runs of (CLIENT's sample - the direct client's sample of the same
# run) for KIND with pgdeploy as the hook: PgBouncer's delay behind the new primary itself,
# which the time repmgr took to promote, different from run to run, does not enter.
paired() {
    awk -v k="$1" -v c="$2" '$1 == k && $2 == "pgdeploy" { ms[$3, $5] = $4; runs[$5] = 1 }
        END { for (r in runs) if ((c, r) in ms && ("direct", r) in ms) print ms[c, r] - ms["direct", r] }' \
        "$H/samples" | sort -n | awk '{ v[NR] = $1 } END { if (!NR) exit 1
            printf("%.0f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
rows=()
for kind in failover switchover; do
    read -r ref_med ref_min ref_max ref_n < <(stats "$kind" true direct)
    for client in app1 app2 direct; do
        read -r med min max n < <(stats "$kind" pgdeploy "$client")
        case $client in
        app1) path="PgBouncer app1, admin console" ;;
        app2) path="PgBouncer app2, reload_command by SSH" ;;
        direct) path="directly on the new primary" ;;
        esac
        share=– behind=–
        [ "$client" = direct ] || { share=$((med - ref_med)); behind=$(paired "$kind" "$client"); }
        rows+=("| $kind | pgdeploy | $path | $n | $med | $min | $max | $share | $behind |")
    done
    rows+=("| $kind | /bin/true | directly on the new primary (reference) | $ref_n | $ref_med | $ref_min | $ref_max | | |")
done
table() {
    echo "| event | hook | first write | runs | median | min | max | pgdeploy's share | behind direct, same run |"
    echo "|---|---|---|--:|--:|--:|--:|--:|--:|"
    printf '%s\n' "${rows[@]}"
}
echo
echo "# ms from the kill (failover) or the start of the switchover to the first committed write"
table | column -t -s '|' -o '|'
echo "# total $((SECONDS - started)) s"

if [ "$results" != - ]; then
    machine="$(nproc) × $(lscpu | sed -n 's/^Model name: *//p' | head -n1)"
    revision=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
    {
        # Everything before this section (bench/run's tables) stays.
        [ -f "$results" ] && sed '/^## Failover to traffic/,$d' "$results" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
        [ -f "$results" ] && echo
        echo "## Failover to traffic"
        echo
        echo "Reproduce with \`sudo bench/failover.sh --runs $runs\` (about $(((SECONDS - started + 59) / 60)) min here). Measured on"
        echo "$(date -u +%Y-%m-%d), $machine; $("$PGDEPLOY_BIN" --version 2>&1 | head -n1) ($revision),"
        echo "$("$PG_BINDIR/repmgr" --version), $("$PGBOUNCER_BIN" --version 2>&1 | head -n1)."
        echo
        echo "Three nodes with repmgrd (failover=automatic, monitor_interval_secs=1, reconnect_attempts=2,"
        echo "reconnect_interval=1, service_promote_command='pg_ctl -w -D DATADIR promote') and two"
        echo "PgBouncers, all on this machine. Clients write in a loop, a fresh connection per INSERT,"
        echo "through each PgBouncer and directly to each node that can become primary, with either hook."
        echo "**failover**: node1 killed (\`pg_ctl -m immediate\`) right after a committed write, repmgrd"
        echo "promotes node2 or node3; **switchover**: \`repmgr standby switchover --siblings-follow\` back to"
        echo "node1 with repmgrd running. Milliseconds from the kill (or the switchover's start) to the"
        echo "first committed write on the new primary. The reference is the same event with the hook"
        echo "replaced by \`/bin/true\`, written directly to the new primary's port; pgdeploy's share is"
        echo "the median through PgBouncer minus the reference's median (target: under 400 ms)."
        echo "Both hooks alternate run by run. The last column is the median, over the runs with"
        echo "pgdeploy, of the write through PgBouncer minus the direct write of the same run: the time"
        echo "repmgr takes to promote, which varies by some 100 ms from run to run, does not enter it."
        echo
        table
    } >"$results.tmp"
    mv "$results.tmp" "$results"
    echo "# wrote $results"
fi
