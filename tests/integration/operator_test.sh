#!/usr/bin/env bash
# Operator features against the real servers: idempotent runs, --dry-run,
# --check, --json, the run lock, and moving live client sessions through
# PgBouncer's admin console (--sessions, --pause) across a change of primary.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_primary
start_other_primary
start_app_servers app2 app1
reloads() { grep -c 'RELOAD command issued' "$H/app_$1/pgbouncer.log" || true; }
json() { jq -r "$1" "$H/stdout"; }
# Like run_pgdeploy, but stdout alone goes to $H/stdout.
run_split() {
    RC=0
    as_user "$PGDEPLOY" -c main -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" "$@" >"$H/stdout" 2>"$H/out" || RC=$?
    sed 's/^/#   | /' "$H/out" "$H/stdout"
}

echo "# idempotent runs: an unchanged fleet is neither written nor reloaded"
run_pgdeploy
check_eq "first run: exit 0" 0 "$RC"
check "first run updates both" grep -q '2 app servers: 2 updated, 0 failed' "$H/out"
before_mtime=$(stat -c %Y.%N "$H/app_app1/conf/main.ini")
before_reloads=$(reloads app2)
pg_psql node1 postgres "CHECKPOINT" >/dev/null  # the primary's LSN moves on
run_pgdeploy
check_eq "second run: exit 0" 0 "$RC"
check "with nothing to do and no terminal (the timer), it logs nothing" test ! -s "$H/out"
run_pgdeploy -v
check "both unchanged, in debug lines" grep -q '^pgdeploy: debug: cluster main: .*2 app servers: 0 updated, 2 unchanged, 0 failed' "$H/out"
check "one per host" grep -q '^pgdeploy: debug: app1 (127.0.0.1): unchanged in ' "$H/out"
check_eq "app1's file was not rewritten" "$before_mtime" "$(stat -c %Y.%N "$H/app_app1/conf/main.ini")"
check_eq "app2 was not reloaded" "$before_reloads" "$(reloads app2)"

echo "# --dry-run shows what would change and changes nothing"
set_primary node2 2
cp "$H/app_app1/conf/main.ini" "$H/app1.before"
run_split --dry-run
check_eq "exit 0" 0 "$RC"
check "a unified diff per host on stdout" \
    test "$(grep -c "^+++ app[12]:$H/app_app[12]/conf/main.ini (new)\$" "$H/stdout")" = 2
check "the diff removes the old route" grep -q "^-appdb = host=127.0.0.1 port=$(pg_port node1) dbname=appdb\$" "$H/stdout"
check "the diff adds the new route" grep -q "^+appdb = host=127.0.0.1 port=$(pg_port node2) dbname=appdb\$" "$H/stdout"
check "nothing changed" cmp "$H/app1.before" "$H/app_app1/conf/main.ini"
check "logs say would-update" grep -q 'app1 (127.0.0.1): would-update' "$H/out"

echo "# --check for monitoring"
run_split --check
check_eq "hosts routing to the old primary: CRITICAL, exit 2" 2 "$RC"
check "status line names them, with performance data" grep -Eq \
    '^PGDEPLOY CRITICAL - elsewhere: app1, app2 \| current=0;;;0;2 drifting=2;;;0;2 failed=0;;;0;2 time=[0-9]+\.[0-9]{3}s;;;0$' "$H/stdout"
check "nothing changed" cmp "$H/app1.before" "$H/app_app1/conf/main.ini"

echo "# --json"
run_split --json
check_eq "deploy: exit 0" 0 "$RC"
check "stdout is one JSON document" json_says 'type == "object"' <"$H/stdout"
check_eq "cluster" main "$(json .cluster)"
check_eq "primary" "2 node2 127.0.0.1 $(pg_port node2) $(pg_timeline node2)" \
    "$(json '"\(.primary.id) \(.primary.name) \(.primary.host) \(.primary.port) \(.primary.epoch.timeline)"')"
check_eq "hosts and actions" "app1 127.0.0.1 updated;app2 127.0.0.1 updated;" \
    "$(json '.hosts[] | "\(.name) \(.address) \(.action)"' | tr '\n' ';')"
check "durations in ms" test "$(json '[.hosts[].duration_ms | numbers] | length')" = 2
check_eq "exit code in the report" 0 "$(json .exit_code)"
check "logs stayed on stderr" grep -q 'app1 (127.0.0.1): updated' "$H/out"
echo "# --metrics-file: Prometheus' textfile, every run"
as_user mkdir -p "$H/textfile"
metrics=$H/textfile/pgdeploy_main.prom
run_split --metrics-file "$metrics"
check_eq "deploy: exit 0" 0 "$RC"
check "promtool accepts the file" sh -c "promtool check metrics <'$metrics'"
check "the run's exit code" grep -qx 'pgdeploy_last_run_exit_code{cluster="main",mode="deploy"} 0' "$metrics"
check "the primary's node and timeline" grep -qx \
    "pgdeploy_primary_node_id{cluster=\"main\",node_name=\"node2\",host=\"127.0.0.1\",port=\"$(pg_port node2)\"} 2" "$metrics"
check "its timeline" grep -qx "pgdeploy_primary_timeline{cluster=\"main\"} $(pg_timeline node2)" "$metrics"
check "hosts current" grep -qx 'pgdeploy_hosts{cluster="main",state="current"} 2' "$metrics"
check "per host result" grep -qx 'pgdeploy_host_result{cluster="main",host="app1",result="unchanged"} 1' "$metrics"
check "readable by node_exporter" test "$(stat -c %a "$metrics")" = 644
check "no temporary file left" test "$(ls "$H/textfile")" = pgdeploy_main.prom
run_split --check --metrics-file "$metrics" -p "host=127.0.0.1 port=1 dbname=repmgr"
check_eq "a run that fails early: UNKNOWN" 3 "$RC"
check "still writes the file, without a primary" sh -c "promtool check metrics <'$metrics' &&
    grep -qx 'pgdeploy_last_run_exit_code{cluster=\"main\",mode=\"check\"} 3' '$metrics' &&
    ! grep -q pgdeploy_primary '$metrics'"
run_split --metrics-file "$H/no-such-dir/pgdeploy.prom"
check_eq "a metrics file in a missing directory: exit 2" 2 "$RC"
check "names it" grep -q "the directory of $H/no-such-dir/pgdeploy.prom does not exist" "$H/out"
run_split --check --json
check_eq "--check after the deploy: exit 0" 0 "$RC"
check_eq "--check --json: every host unchanged" "unchanged unchanged" "$(json '[.hosts[].action] | join(" ")')"
run_split --check
check "OK with performance data" grep -Eq '^PGDEPLOY OK - 2 app servers current \| current=2;;;0;2 drifting=0;;;0;2 failed=0;;;0;2 time=' "$H/stdout"
app2_name=$(pg_psql node1 repmgr "SELECT application_name FROM repmgr.app_servers WHERE node_name = 'app2'")
app_server_set app2 application_name "'renamed'"
run_split --check
check_eq "a fragment that still routes to the primary but differs: WARNING, exit 1" 1 "$RC"
check "names it drifting" grep -q '^PGDEPLOY WARNING - drifting: app2 | current=1;;;0;2 drifting=1;;;0;2 failed=0;;;0;2 ' "$H/stdout"
app_server_set app2 ssh_port "$(free_port)"
run_split --check --json
check_eq "and an unreadable host: still WARNING, exit 1" 1 "$RC"
check_eq "--json gives the same exit code" 1 "$(json .exit_code)"
app_server_set app2 ssh_port "$SSH_PORT"
app_server_set app2 application_name "$(sql_lit "$app2_name")"
run_split --json -p "host=127.0.0.1 port=1 dbname=repmgr"
check_eq "database unreachable: exit 3" 3 "$RC"
check_eq "the JSON report says why" 3 "$(json .exit_code)"
check "with the error" test -n "$(json .error)"
run_split --check -p "host=127.0.0.1 port=1 dbname=repmgr"
check "--check on a database problem: UNKNOWN, exit 3" \
    sh -c "[ $RC = 3 ] && grep -q '^PGDEPLOY UNKNOWN - ' '$H/stdout'"

echo "# the run lock: two concurrent runs of one cluster serialize and both end correctly"
set_primary node1 1
app_server_set app1 reload_command "$(sql_lit "sleep 1; $(bouncer_reload_command app1)")"
declare -A pid
for run in a b; do
    as_user "$PGDEPLOY" -c main -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" -t 5 -v >"$H/run_$run" 2>&1 &
    pid[$run]=$!
done
rc_a=0; wait "${pid[a]}" || rc_a=$?
rc_b=0; wait "${pid[b]}" || rc_b=$?
sed 's/^/#   | /' "$H/run_a" "$H/run_b"
check_eq "both runs exit 0" "0 0" "$rc_a $rc_b"
check "one run waited for the other" grep -q 'waiting for another pgdeploy run of cluster main' "$H/run_a" "$H/run_b"
check "the second run found the fleet current" \
    grep -q '2 app servers: 0 updated, 2 unchanged, 0 failed' "$H/run_a" "$H/run_b"
check "the first run updated it" grep -q '2 app servers: 2 updated, 0 failed' "$H/run_a" "$H/run_b"

echo "# the run lock has one place for every run: root or $TEST_USER, with or without XDG_RUNTIME_DIR"
if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
    app_server_set app1 reload_command "$(sql_lit "sleep 3; $(bouncer_reload_command app1)")"
    # HOLDER LAYOUT: see lock_place.sh.
    lock_place() {
        rm -f "$H"/lock_*
        H=$H PGDEPLOY=$PGDEPLOY TEST_USER=$TEST_USER SSH_KEY=$SSH_KEY KNOWN_HOSTS=$KNOWN_HOSTS \
            PG_PORT=$(pg_port node1) unshare --mount --propagation private \
            bash "$(dirname "${BASH_SOURCE[0]}")/lock_place.sh" "$1" "$2"
        sed 's/^/#   | /' "$H"/lock_holder "$H"/lock_listing
        check_eq "the $1 run deploys" 0 "$(cat "$H/lock_holder.rc")"
        for run in root root_xdg user user_xdg; do
            sed 's/^/#   | '"$run"': /' "$H/lock_$run"
            check_eq "a run as $run meanwhile: exit 5 (the lock is busy)" 5 "$(cat "$H/lock_$run.rc")"
            check "it met the $1 run's lock in /run/pgdeploy" \
                grep -Eq 'still holds /run/pgdeploy/main.lock \(pid [0-9]+\)' "$H/lock_$run"
        done
    }
    echo "# - /run/pgdeploy from the package, the $TEST_USER run holds the lock"
    set_primary node2 2
    lock_place "$TEST_USER" package
    echo "# - no /run/pgdeploy yet, a run as root makes it and holds the lock"
    set_primary node1 1
    lock_place root bare
    check "root's lock file is readable by all" grep -q '^-rw-r--r-- .* main.lock$' "$H/lock_listing"
else
    echo "# skipped: needs root and unshare (a private /run)"
fi
app_server_set app1 reload_command "$(sql_lit "$(bouncer_reload_command app1)")"

echo "# moving live sessions: a client holds a session through PgBouncer across a change of primary"
pgbouncer_start tx transaction
app_server_add tx 103
app_server_set tx admin_conninfo "$(sql_lit "host=127.0.0.1 port=$(bouncer_port tx) user=$TEST_USER")"
pg_psql node1 repmgr "UPDATE repmgr.app_servers SET enabled = node_name IN ('tx', 'app2')" >/dev/null
run_pgdeploy
check_eq "tx and app2 route to node1" 0 "$RC"
# A held session: psql reading queries from a FIFO, one line per query.
hold_session() {
    local app=$1
    as_user mkfifo "$H/$app.fifo"
    as_user "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$(bouncer_port "$app")" -U "$TEST_USER" \
        -d appdb <"$H/$app.fifo" >"$H/$app.held" 2>&1 &
    exec {HELD_FD}>"$H/$app.fifo"
}
ask() { echo "SELECT 'port=' || current_setting('port');" >&"$HELD_FD"; }
answered() { [ "$(grep -c '^port=' "$H/$1.held")" -ge "$2" ]; }
last_answer() { grep '^port=' "$H/$1.held" | tail -n 1; }

hold_session tx
ask
check "the held session starts on node1" wait_until 5 answered tx 1
check_eq "node1" "port=$(pg_port node1)" "$(last_answer tx)"
set_primary node2 2
run_pgdeploy --sessions=reconnect --pause
check_eq "re-pointed with --sessions=reconnect --pause: exit 0" 0 "$RC"
check "PgBouncer paused appdb" grep -q "PAUSE 'appdb' command issued" "$H/app_tx/pgbouncer.log"
check "and resumed it" grep -q "RESUME 'appdb' command issued" "$H/app_tx/pgbouncer.log"
ask
check "the same session's next query runs on node2, without an error" wait_until 5 answered tx 2
check_eq "node2" "port=$(pg_port node2)" "$(last_answer tx)"
check "no error in the held session" fails grep -qi error "$H/tx.held"
exec {HELD_FD}>&-

hold_session app2
ask
check "a session-pooled client holds node2" wait_until 5 answered app2 1
set_primary node1 1
run_pgdeploy --sessions=keep
ask
check "--sessions=keep: the held session stays on the old server" wait_until 5 answered app2 2
check_eq "still node2" "port=$(pg_port node2)" "$(last_answer app2)"
set_primary node2 2
run_pgdeploy --sessions=kill
check_eq "--sessions=kill: exit 0" 0 "$RC"
ask
session_cut() { grep -q -i 'closed\|terminat\|lost' "$H/app2.held"; }
check "--sessions=kill: the held session was cut" wait_until 5 session_cut
check "a new session lands on node2" routes_to app2 node2
exec {HELD_FD}>&- || true

echo "# a database name PgBouncer's console refuses as an argument: moving its sessions is best effort"
# PgBouncer 1.18 answers "bad arguments" to PAUSE, KILL, RESUME and RECONNECT of a 62- or
# 63-byte name; the route itself must still be switched, and stay switched.
long_db=long_$(printf 'n%.0s' {1..58})
check_eq "the name is 63 bytes" 63 "${#long_db}"
for pg in node1 node2; do pg_psql "$pg" postgres "CREATE DATABASE $long_db" >/dev/null; done
run_pgdeploy  # a new database has no sessions to move: load it first
check_eq "$long_db deployed: exit 0" 0 "$RC"
# PgBouncer's own answer, read through its console: name, port and database of LONG_DB.
served() {
    as_user timeout 10 "$PG_BINDIR/psql" -X -At -F ' ' -h 127.0.0.1 -p "$(bouncer_port "$1")" \
        -U "$TEST_USER" -d pgbouncer -c 'SHOW DATABASES' | awk -v db="$long_db" '$1 == db { print $1, $3, $4 }'
}
lands_on() {
    [ "$(as_user timeout 10 "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$(bouncer_port "$1")" -U "$TEST_USER" \
        -d "$2" -c "SELECT current_database() || ' ' || current_setting('port')" 2>/dev/null)" = "$2 $(pg_port "$3")" ]
}
for sessions in kill reconnect; do
    if [ "$sessions" = kill ]; then to=node1 id=1; else to=node2 id=2; fi
    set_primary "$to" "$id"
    run_pgdeploy --sessions=$sessions --pause
    check_eq "--sessions=$sessions --pause to $to: exit 0" 0 "$RC"
    check "both hosts updated, none rolled back" grep -q '2 app servers: 2 updated, 0 failed' "$H/out"
    check "the fragment in place routes $long_db to $to" \
        grep -q "^$long_db = host=127.0.0.1 port=$(pg_port "$to") dbname=$long_db\$" "$H/app_tx/conf/main.ini"
    check_eq "PgBouncer serves $long_db from $to" "$long_db $(pg_port "$to") $long_db" "$(served tx)"
    check "a warning names the database whose sessions did not move" \
        grep -q "warning: tx: admin console: ${sessions^^} of database $long_db failed: .*bad arguments" "$H/out"
    check "and the one PAUSE refused" \
        grep -q "warning: app2: admin console: PAUSE of database $long_db failed" "$H/out"
    check "no database is left paused" fails grep -q 'stays PAUSED' "$H/out"
    check "a new session of $long_db lands on $to" lands_on tx "$long_db" "$to"
    check "appdb was resumed: a new session lands on $to" lands_on app2 appdb "$to"
done

echo "# --sync-userlist and --sync-pgpass: secrets copied with mode 0600, never logged"
pg_psql node1 postgres "CREATE ROLE app_user LOGIN PASSWORD 'Userlist-Secret-4'" >/dev/null
as_user mkdir -p -m 0700 "$H/local_home"
printf '*:*:*:app_user:Pgpass-Secret-5\n' | write_as_user "$H/local_home/.pgpass"
as_user chmod 0600 "$H/local_home/.pgpass"
app_server_set app2 auth_trust true
RC=0
as_user env HOME="$H/local_home" "$PGDEPLOY" -c main -v -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" \
    --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" \
    --sync-userlist="$H/app_tx/userlist.synced" --sync-pgpass >"$H/out" 2>&1 || RC=$?
sed 's/^/#   | /' "$H/out"
check_eq "exit 0" 0 "$RC"
check "the userlist holds the role's password hash from pg_shadow" \
    grep -q '^"app_user" "SCRAM-SHA-256\$' "$H/app_tx/userlist.synced"
check_eq "the userlist has mode 0600" 600 "$(stat -c %a "$H/app_tx/userlist.synced")"
check "the user's .pgpass reached the remote user's home" cmp "$H/local_home/.pgpass" "$H/remote_home/.pgpass"
check_eq "the remote .pgpass has mode 0600" 600 "$(stat -c %a "$H/remote_home/.pgpass")"
check "no secret or hash in the verbose output" fails grep -E 'Secret-[45]|SCRAM' "$H/out"
check "app2 (auth_trust) got no ~/.pgpass step" fails grep -q 'app2: pgpass' "$H/out"
check "tx got it" grep -q 'tx: pgpass written' "$H/out"

echo "# --ro-suffix routes NAME_ro to a running standby, preferring the host's location"
set_primary node1 1
repmgr_clone_standby node3 3 node1
app_server_set tx location "'dc2'"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET location = 'dc2' WHERE node_id = 3" >/dev/null
run_pgdeploy --ro-suffix=_ro
check_eq "exit 0" 0 "$RC"
ro_lands() { [ "$(bouncer_psql "$1" appdb_ro "SELECT current_setting('port') || ' ' || pg_is_in_recovery()" 2>/dev/null)" = "$(pg_port "$2") true" ]; }
check "tx (location dc2) reads appdb_ro on the standby node3" ro_lands tx node3
check "writes on tx still go to node1" routes_to tx node1
check "the admin console verified the read-only routes too" grep -q 'tx (127.0.0.1): updated' "$H/out"
echo "# a real database named like a read-only key keeps the key"
pg_psql node1 postgres "CREATE DATABASE appdb_ro" >/dev/null
run_pgdeploy --ro-suffix=_ro
check_eq "exit 0" 0 "$RC"
check "a warning names the read-only line left out" \
    grep -q 'warning: --ro-suffix: no read-only line appdb_ro for appdb: a database named appdb_ro exists' "$H/out"
check_eq "one warning per run, not one per host" 1 "$(grep -c 'no read-only line appdb_ro ' "$H/out")"
check_eq "one line for the key appdb_ro" 1 "$(grep -c '^appdb_ro ' "$H/app_tx/conf/main.ini")"
check "clients of appdb_ro reach the real appdb_ro on the primary" lands_on tx appdb_ro node1
check_eq "and appdb_ro_ro reads it on the standby" "appdb_ro $(pg_port node3)" \
    "$(as_user timeout 10 "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$(bouncer_port tx)" -U "$TEST_USER" \
        -d appdb_ro_ro -c "SELECT current_database() || ' ' || current_setting('port')")"
pg_psql node1 postgres "DROP DATABASE appdb_ro WITH (FORCE)" >/dev/null
pg_stop node3
run_pgdeploy --ro-suffix=_ro
check "with the standby down, read-only routes fall back to the primary" \
    grep -q "^appdb_ro = host=127.0.0.1 port=$(pg_port node1) dbname=appdb\$" "$H/app_tx/conf/main.ini"
run_pgdeploy --ro-suffix='bad suffix'
check_eq "an invalid suffix is a usage error" 2 "$RC"

echo "# configuration file: [pgdeploy], [cluster NAME], the command line wins"
cat <<EOF | write_as_user "$H/pgdeploy.ini"
[pgdeploy]
pgconnstring = host=127.0.0.1 port=1 dbname=repmgr
ssh-key = $SSH_KEY
known-hosts = $KNOWN_HOSTS
timeout = 3

[cluster main]
pgconnstring = host=127.0.0.1 port=$(pg_port node1) dbname=repmgr
json = true

[cluster other]
pgconnstring = host=127.0.0.1 port=2 dbname=repmgr
EOF
RC=0
as_user "$PGDEPLOY" --config "$H/pgdeploy.ini" -c main >"$H/stdout" 2>"$H/out" || RC=$?
sed 's/^/#   | /' "$H/out"
check_eq "a run configured by the file alone: exit 0" 0 "$RC"
check "[cluster main] turned --json on" json_says '.cluster == "main"' <"$H/stdout"
RC=0
as_user "$PGDEPLOY" --config "$H/pgdeploy.ini" -c main -p "host=127.0.0.1 port=1 dbname=repmgr" >"$H/stdout" 2>"$H/out" || RC=$?
sed 's/^/#   | /' "$H/out"
check_eq "the command line wins: its unreachable database gives exit 3" 3 "$RC"
echo "jobs = many" | write_as_user "$H/bad.ini"
sed -i '1i [pgdeploy]' "$H/bad.ini"
RC=0
as_user "$PGDEPLOY" --config "$H/bad.ini" -c main >"$H/out" 2>&1 || RC=$?
check_eq "an invalid value: exit 2" 2 "$RC"
check "naming file:line and the key" grep -q "$H/bad.ini:2: invalid value for jobs" "$H/out"
# --force turns the timeline fence off: from the file it would do so for every run, unseen.
sed '/^\[pgdeploy\]$/a force = true' "$H/pgdeploy.ini" | write_as_user "$H/force.ini"
RC=0
as_user "$PGDEPLOY" --config "$H/force.ini" -c main >"$H/stdout" 2>"$H/out" || RC=$?
sed 's/^/#   | /' "$H/out"
check_eq "force in the configuration file: exit 2" 2 "$RC"
check "naming file:line" grep -q "$H/force.ini:2: force may not be set in a configuration file" "$H/out"

echo "# --syslog: the log goes to syslog, not to stderr"
if command -v strace >/dev/null; then
    RC=0
    as_user strace -f -e trace=connect,sendto -s 300 -o "$H/strace" "$PGDEPLOY" -c main --syslog \
        -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" --ssh-key "$SSH_KEY" \
        --known-hosts "$KNOWN_HOSTS" >"$H/stdout" 2>"$H/out" || RC=$?
    check_eq "exit 0" 0 "$RC"
    check "nothing on stderr" test ! -s "$H/out"
    check "it connects to the syslog socket" grep -q 'connect(.*"/dev/log"' "$H/strace"
else
    echo "# skipped: strace is not installed"
fi

harness_summary
