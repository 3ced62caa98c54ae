#!/usr/bin/env bash
# The main path against real servers: repmgr metadata on PostgreSQL, PgBouncers
# reached over a real sshd, both reload paths, re-pointing after a promotion,
# failing hosts that never stop the others.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_primary
start_other_primary
# app1 reloads by a command over SSH, app2 through its admin console (verified).
start_app_servers app2 app1

echo "# first deploy: everything to node1"
run_pgdeploy
check_eq "exit status 0" 0 "$RC"
check "app1 (reload command) routes to node1" wait_until 5 routes_to app1 node1
check "app2 (admin console) routes to node1" routes_to app2 node1
check "each host has one outcome line" \
    grep -q 'app1 (127.0.0.1): updated' "$H/out"
check "summary line" grep -q '2 app servers: 2 updated, 0 failed' "$H/out"
check_eq "fragment mode 0640" 640 "$(stat -c %a "$H/app_app1/conf/main.ini")"
check "no temporary files left on app1" dir_holds_only "$H/app_app1/conf" main.ini
check "no temporary files left on app2" dir_holds_only "$H/app_app2/conf" main.ini
check "fragment routes every database" \
    grep -q "^repmgr = host=127.0.0.1 port=$(pg_port node1) dbname=repmgr\$" "$H/app_app1/conf/main.ini"
check "repmgr's user and connect_timeout are not copied" \
    fails grep -E 'user=|connect_timeout' "$H/app_app1/conf/main.ini"

echo "# promotion recorded in repmgr.nodes: node2 becomes the primary"
set_primary node2 2
run_pgdeploy
check_eq "exit status 0 after re-pointing" 0 "$RC"
check "app1 re-pointed to node2" wait_until 5 routes_to app1 node2
check "app2 re-pointed to node2" routes_to app2 node2
check "header names the new primary" grep -q '^; Primary: node 2 (node2)' "$H/app_app2/conf/main.ini"

echo "# application_name is passed on, quoted, and PgBouncer accepts it"
app_server_set app2 application_name "'web frontend''s pool'"
run_pgdeploy
check_eq "exit status 0 (app2's load verified through its admin console)" 0 "$RC"
check "application_name quoted in the fragment" \
    grep -q "dbname=appdb application_name='web frontend''s pool'\$" "$H/app_app2/conf/main.ini"
check "app2 still routes to node2" routes_to app2 node2

echo "# an application_name longer than PostgreSQL keeps is cut to its 63 bytes, with a warning"
# PgBouncer 1.18 passes on what it is given; with 4000 bytes it cannot log in to the server at
# all ("partial pkt in login phase"), while the fragment loads and verifies as served.
long_app=$(printf 'pool-%.0s' {1..800})
check_eq "the name is 4000 bytes" 4000 "${#long_app}"
app_server_set app2 application_name "'$long_app'"
run_pgdeploy
check_eq "exit status 0" 0 "$RC"
check "a warning names the host and both lengths" grep -q \
    "warning: app2 (127.0.0.1): application_name is 4000 bytes, PostgreSQL keeps 63: the fragment has its first 63" "$H/out"
check "the fragment holds the first 63 bytes" \
    grep -q "dbname=appdb application_name=${long_app:0:63}\$" "$H/app_app2/conf/main.ini"
# A new application_name alone does not renew server connections: close them, so that the
# client needs a new login with the new name.
bouncer_psql app2 pgbouncer "RECONNECT appdb" >/dev/null
# Bounded: a pool that cannot log in makes clients wait up to query_wait_timeout.
reaches_node2() {
    [ "$(as_user timeout 10 "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$(bouncer_port app2)" -U "$TEST_USER" \
        -d appdb -c "SELECT current_setting('port')" 2>/dev/null)" = "$(pg_port node2)" ]
}
check "a client through PgBouncer still reaches node2" reaches_node2
# After that client, PgBouncer's DISCARD ALL resets the server connection to its login name.
kept_name_shown() {
    [ "$(pg_psql node2 postgres "SELECT count(*) FROM pg_stat_activity
          WHERE datname = 'appdb' AND application_name = '${long_app:0:63}'")" -ge 1 ]
}
check "pg_stat_activity shows PgBouncer's server connection under the 63-byte name" wait_until 5 kept_name_shown
doctor() {
    RC=0
    as_user "$PGDEPLOY" doctor -c main -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/out" 2>&1 || RC=$?
    sed 's/^/#   | /' "$H/out"
}
doctor
check "doctor fails the item" grep -qF \
    "[FAIL] app2 (127.0.0.1): application_name kept whole by PostgreSQL: application_name is 4000 bytes" "$H/out"
check "with the fix" grep -qF "fix: shorten app_servers.application_name of app2 to at most 63 bytes" "$H/out"
check "doctor exits non-zero" test "$RC" != 0
app_server_set app2 application_name "'web frontend''s pool'"
doctor
check "a short application_name passes" \
    grep -qF "[PASS] app2 (127.0.0.1): application_name kept whole by PostgreSQL: 19 bytes" "$H/out"
run_pgdeploy
check_eq "back to the short name: exit 0" 0 "$RC"

echo "# one unreachable host and one unknown host key: the others are still updated"
set_primary node1 1
app_server_add down 103
app_server_set down ssh_port "$(free_port)"
as_user mkdir -p "$H/app_stranger/conf"
echo "; previous" | write_as_user "$H/app_stranger/conf/main.ini"
app_server_add stranger 104 127.0.0.2
app_server_set stranger config_dir "$(sql_lit "$H/app_stranger/conf")"
run_pgdeploy
check_eq "exit status 1" 1 "$RC"
check "app1 updated despite the failures" wait_until 5 routes_to app1 node1
check "app2 updated despite the failures" routes_to app2 node1
check "unreachable host reported at connect" grep -q 'down (127.0.0.1): FAILED .*connect:' "$H/out"
down_port=$(pg_psql node1 repmgr "SELECT ssh_port FROM repmgr.app_servers WHERE node_name = 'down'")
check "naming the address and port it tried" \
    grep -q "down (127.0.0.1): FAILED .*connect: ssh to 127.0.0.1 port $down_port: Connection refused" "$H/out"
check "unknown host key reported" grep -q 'stranger (127.0.0.2): FAILED .*host key: .* is not in' "$H/out"
check_eq "unknown-key host's file untouched" "; previous" "$(cat "$H/app_stranger/conf/main.ini")"
check "summary counts" grep -q '4 app servers: 2 updated, 2 failed' "$H/out"

echo "# disabled hosts are left alone"
app_server_set down enabled false
app_server_set stranger enabled false
run_pgdeploy -v  # a run with nothing to do says so only in debug lines
check_eq "exit status 0 with the failing hosts disabled" 0 "$RC"
check "summary counts only enabled hosts, already current" \
    grep -q '2 app servers: 0 updated, 2 unchanged, 0 failed' "$H/out"

echo "# a cluster name in another case creates a file no PgBouncer includes: said loudly"
run_pgdeploy -c Main
check_eq "exit 0: the file was written" 0 "$RC"
for app in app1 app2; do
    check "$app: says CREATED and what PgBouncer must include" grep -qF \
        "$app: CREATED $H/app_$app/conf/Main.ini, which did not exist: PgBouncer routes through it only if its configuration includes it (%include $H/app_$app/conf/Main.ini under [databases])" "$H/out"
done
run_pgdeploy -c Main --check
check_eq "--check of it: exit 2, CRITICAL" 2 "$RC"
check "--check names the hosts whose PgBouncer does not include it" \
    grep -q "^PGDEPLOY CRITICAL - not included by PgBouncer: app1, app2 |" "$H/out"
RC=0
as_user "$PGDEPLOY" status -c Main -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" \
    --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/out" 2>&1 || RC=$?
sed 's/^/#   | /' "$H/out"
check_eq "status of it: exit 1" 1 "$RC"
check "status: current on disk, NO (not included)" grep -Eq "^app1 .* NO \(not included\) " "$H/out"
check "status says which %include is missing" grep -qF \
    "app1: PgBouncer does not serve the fragment: $H/app_app1/pgbouncer.ini has no \`%include $H/app_app1/conf/Main.ini\`" "$H/out"
run_pgdeploy --check
check_eq "--check of the cluster PgBouncer includes: OK" 0 "$RC"
rm -f "$H/app_app1/conf/Main.ini" "$H/app_app2/conf/Main.ini"
run_pgdeploy
check "the next run of the right cluster creates nothing" fails grep -q "CREATED" "$H/out"

echo "# --exclude-databases: the original agent's routing, without postgres"
check "by default every database is routed, postgres included" grep -q "^postgres = " "$H/app_app1/conf/main.ini"
run_pgdeploy --exclude-databases postgres
check_eq "exit 0" 0 "$RC"
check "postgres is left out" fails grep -q "^postgres = " "$H/app_app1/conf/main.ini"
check "appdb is still routed" grep -q "^appdb = " "$H/app_app1/conf/main.ini"
run_pgdeploy --exclude-databases postgress
check "a name no database has is a warning" grep -q "warning: --exclude-databases: there is no database postgress" "$H/out"
check "and every database is routed again" grep -q "^postgres = " "$H/app_app1/conf/main.ini"

echo "# a failing reload command puts the previous file back"
cp "$H/app_app1/conf/main.ini" "$H/app1.before"
set_primary node2 2
app_server_set app1 reload_command "'echo no such service >&2; false'"
run_pgdeploy
check_eq "exit status 1" 1 "$RC"
check "reload failure reported with its output" grep -q 'app1 .*FAILED .*reload: no such service' "$H/out"
check "app1's previous file is back" cmp "$H/app1.before" "$H/app_app1/conf/main.ini"
check "no temporary files left on app1" dir_holds_only "$H/app_app1/conf" main.ini
check "app1 still routes to node1" routes_to app1 node1
check "app2 re-pointed meanwhile" routes_to app2 node2

echo "# the admin console shows PgBouncer did not load the fragment: roll back"
# PgBouncer includes conf/main.ini; a fragment written elsewhere is never loaded,
# yet RELOAD answers with success.
as_user mkdir "$H/app_app2/elsewhere"
app_server_set app2 config_dir "$(sql_lit "$H/app_app2/elsewhere")"
set_primary node1 1
run_pgdeploy
check "unloaded fragment detected" grep -q 'app2 .*FAILED .*verify: PgBouncer routes appdb to' "$H/out"
check "the new file is removed again (there was none before)" dir_holds_only "$H/app_app2/elsewhere"
check "app2 keeps routing to node2" routes_to app2 node2

echo "# hostile database names on the primary never reach PgBouncer"
app_server_set app1 reload_command "$(sql_lit "$(bouncer_reload_command app1)")"
app_server_set app2 config_dir "$(sql_lit "$H/app_app2/conf")"
hostile=($'evil\n* = host=attacker' 'my db' 'semi;colon' "quo'te" 'dq"uote' 'k=v' 'pgbouncer'
         "$(printf 'x%.0s' {1..62});")
for name in "${hostile[@]}"; do
    pg_psql node1 postgres "CREATE DATABASE \"${name//\"/\"\"}\"" >/dev/null
done
run_pgdeploy
check_eq "exit status 0: hostile names are skipped, not fatal" 0 "$RC"
check_eq "a warning names each skipped database" "${#hostile[@]}" "$(grep -c 'warning: database ".*" left out' "$H/out")"
show_databases() {
    as_user "$PG_BINDIR/psql" -X -At -F '|' -h 127.0.0.1 -p "$(bouncer_port app2)" -U "$TEST_USER" \
        -d pgbouncer -c 'SHOW DATABASES' | cut -d'|' -f1-4 | sort
}
expected_routes=$(printf '%s\n' "appdb|127.0.0.1|$(pg_port node1)|appdb" \
    "pgbouncer||$(bouncer_port app2)|pgbouncer" "postgres|127.0.0.1|$(pg_port node1)|postgres" \
    "repmgr|127.0.0.1|$(pg_port node1)|repmgr" | sort)
check_eq "PgBouncer loaded exactly the normal databases, routed to the primary" \
    "$expected_routes" "$(show_databases)"
check "no fallback or attacker entry in the fragment" fails grep -E '^\*|attacker' "$H/app_app2/conf/main.ini"
check "appdb still routes to node1" routes_to app2 node1

echo "# one failover raises two events on a node: the second one costs no SSH round trip"
sshd_sessions() { grep -c 'Accepted publickey' "$H/ssh/sshd.log" || true; }
event_run() { run_pgdeploy --event="$1" --node-id=1 --success=1 -v; }
pg_psql node1 postgres "CREATE DATABASE eventdb" >/dev/null
event_run standby_promote
check_eq "the first event deploys: exit 0" 0 "$RC"
check "it pushed the change" grep -q "^eventdb = " "$H/app_app1/conf/main.ini"
before=$(sshd_sessions)
event_run repmgrd_failover_promote
check_eq "the second event: exit 0" 0 "$RC"
check "it says there is nothing to do" grep -q "repmgr event repmgrd_failover_promote: this node deployed the same to all 2 app servers less than 60 s ago; nothing to do" "$H/out"
check_eq "and opened no SSH connection" "$before" "$(sshd_sessions)"
run_pgdeploy -v
check "a run by hand or from the timer still visits every host" grep -q "2 app servers: 0 updated, 2 unchanged" "$H/out"
pg_psql node1 postgres "CREATE DATABASE memodb" >/dev/null
event_run repmgrd_failover_promote
check "a change since the last deploy is pushed" grep -q "^memodb = " "$H/app_app1/conf/main.ini"
app_server_set app1 ssh_port "$(free_port)"
event_run standby_promote
check_eq "a host fails: exit 1" 1 "$RC"
app_server_set app1 ssh_port "$SSH_PORT"
event_run repmgrd_failover_promote
check "after a failed run the next event pushes again" grep -q "app1 (127.0.0.1): unchanged" "$H/out"

harness_summary
