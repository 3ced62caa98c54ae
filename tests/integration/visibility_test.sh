#!/usr/bin/env bash
# pgdeploy status and pgdeploy doctor against the real servers: the status
# table and its JSON across a change of primary and a fragment PgBouncer did not
# load; the doctor on a healthy setup, then with each item broken in turn,
# checking that it names exactly that item and changes nothing.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_primary
start_other_primary
start_app_servers app1 app2
app_server_set app1 pgbouncer_ini "$(sql_lit "$H/app_app1/pgbouncer.ini")"
app_server_set app2 pgbouncer_ini "$(sql_lit "$H/app_app2/pgbouncer.ini")"
repmgr_enable_hook node1
node1=$(pg_port node1)
node2=$(pg_port node2)

# Run `pgdeploy SUBCOMMAND` as the test user; stdout in $H/stdout, stderr in
# $H/out, exit status in $RC.
run_sub() {
    RC=0
    as_user "$PGDEPLOY" "$@" -c main -p "host=127.0.0.1 port=$node1 dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/stdout" 2>"$H/out" || RC=$?
    sed 's/^/#   | /' "$H/stdout" "$H/out"
}
json() { jq -r "$1" "$H/stdout"; }
row() { grep "^$1 " "$H/stdout"; }
# The failed items of the doctor's last checklist, one "subject: item" a line.
failed_items() { sed -n 's/^\[FAIL\] \([^:]*: [^:]*\).*/\1/p' "$H/stdout"; }
reloads() { grep -c 'RELOAD command issued' "$H/app_$1/pgbouncer.log" || true; }
bouncer_reload() { as_user sh -c "$(bouncer_reload_command "$1")"; }
iso_time='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

echo "# status before the first deploy: the harness's placeholder files"
run_sub status
check_eq "exit 1" 1 "$RC"
check "first line names the primary and its epoch" \
    grep -q "^Cluster main: primary node 1 (node1) at 127.0.0.1:$node1, timeline 1 (lsn " "$H/stdout"
check "app1 is not current" grep -Eq '^app1 +127\.0\.0\.1 +\(no pgdeploy header\) +NO +none ' "$H/stdout"
mv "$H/app_app2/conf/main.ini" "$H/app2.placeholder"
run_sub status
check "a missing fragment is shown" grep -Eq '^app2 +127\.0\.0\.1 +\(none\) +NO ' "$H/stdout"
check "and explained" grep -q "^app2: fragment: none at $H/app_app2/conf/main.ini" "$H/stdout"
mv "$H/app2.placeholder" "$H/app_app2/conf/main.ini"

echo "# status after a deploy: every host current"
run_pgdeploy
check_eq "deploy: exit 0" 0 "$RC"
run_sub status
check_eq "exit 0" 0 "$RC"
check "app1 points at node 1 and is current" \
    grep -Eq "^app1 +127\.0\.0\.1 +node 1 \(node1\) at 127\.0\.0\.1:$node1, timeline 1 +yes " "$H/stdout"
check "app1's live targets come from PgBouncer" \
    grep -q "yes  *127.0.0.1:$node1 (appdb, postgres, repmgr) " "$H/stdout"
check "app2 has no admin console" grep -q '^app2 .* yes  *- (no admin_conninfo) ' "$H/stdout"
check "modification times are shown" grep -Eq "^app1 .* $iso_time\$" "$H/stdout"
check_eq "the time is the file's" "$(date -u -r "$H/app_app1/conf/main.ini" +%Y-%m-%dT%H:%M:%SZ)" \
    "$(row app1 | awk '{print $NF}')"

echo "# status counts PgBouncer's server connections per server: a session open through app1"
bouncer_psql app1 appdb "SELECT pg_sleep(60)" >/dev/null 2>&1 &
session=$!
held_open() {
    [ "$(pg_psql node1 postgres "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'")" = 1 ]
}
check "the session reached node1 through app1" wait_until 10 held_open
run_sub status
check "app1's server connections go to node1" \
    grep -Eq "^app1 .*\(appdb, postgres, repmgr\) +127\.0\.0\.1:$node1 [1-9][0-9]* " "$H/stdout"
check "app2 has no console to ask" grep -Eq '^app2 .* - \(no admin_conninfo\) +- ' "$H/stdout"
run_sub status --json
check_eq "JSON: the servers app1 holds connections to" "127.0.0.1:$node1" \
    "$(json '[.hosts[0].servers[] | "\(.addr):\(.port)"] | join(" ")')"
check "JSON: at least the open session" test "$(json '[.hosts[0].servers[].connections] | add')" -ge 1
check_eq "JSON: app2's servers are null" null "$(json '.hosts[1].servers')"
pg_psql node1 postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE query = 'SELECT pg_sleep(60)'" >/dev/null
wait "$session" 2>/dev/null || true

echo "# status --json gives the same data"
echo "# status without -c: the cluster from the configuration file"
printf '[pgdeploy]\ncluster = main\npgconnstring = host=127.0.0.1 port=%s dbname=repmgr\nssh-key = %s\nknown-hosts = %s\n' \
    "$node1" "$SSH_KEY" "$KNOWN_HOSTS" | write_as_user "$H/default_cluster.ini"
RC=0
as_user "$PGDEPLOY" status --config "$H/default_cluster.ini" >"$H/stdout" 2>"$H/out" || RC=$?
sed 's/^/#   | /' "$H/stdout" "$H/out"
check_eq "exit 0" 0 "$RC"
check "names cluster main" grep -q "^Cluster main: primary node 1 (node1)" "$H/stdout"
run_sub status --json
check_eq "exit 0" 0 "$RC"
check_eq "primary id" 1 "$(json .primary.id)"
check_eq "primary epoch" 1 "$(json .primary.epoch.timeline)"
check_eq "app1 current" true "$(json '.hosts[0].current')"
check_eq "app1's fragment names node 1" "1 node1 127.0.0.1 $node1 1" \
    "$(json '.hosts[0].fragment | "\(.primary_id) \(.primary_name) \(.host) \(.port) \(.timeline)"')"
check_eq "app1's live databases" "appdb postgres repmgr" "$(json '[.hosts[0].live[].database] | join(" ")')"
check_eq "app1's live port" "$node1" "$(json '[.hosts[0].live[].port] | unique | join(" ")')"
check_eq "app2's live is null" null "$(json '.hosts[1].live')"
check_eq "exit_code" 0 "$(json .exit_code)"

echo "# status and doctor read no secrets: sync-pgpass and sync-userlist in the file, no ~/.pgpass"
cat <<EOF | write_as_user "$H/sync.ini"
[pgdeploy]
pgconnstring = host=127.0.0.1 port=$node1 dbname=repmgr
ssh-key = $SSH_KEY
known-hosts = $KNOWN_HOSTS
sync-pgpass = true
sync-userlist = $H/app_app1/userlist.synced
EOF
as_user mkdir -p "$H/home_without_pgpass"
# Run `pgdeploy SUBCOMMAND` configured by $H/sync.ini, for a user whose home has no .pgpass.
run_synced() {
    RC=0
    as_user env HOME="$H/home_without_pgpass" "$PGDEPLOY" "$1" --config "$H/sync.ini" -c main \
        >"$H/stdout" 2>"$H/out" || RC=$?
    sed 's/^/#   | /' "$H/stdout" "$H/out"
}
check "the home has no .pgpass" test ! -e "$H/home_without_pgpass/.pgpass"
run_synced status
check_eq "status: exit 0" 0 "$RC"
check "status: both hosts current" grep -Eq "^app2 +127\.0\.0\.1 +node 1 \(node1\).* yes " "$H/stdout"
check "status: no word of the secrets" fails grep -Eq 'pgpass|userlist' "$H/out"
run_synced doctor
check_eq "doctor: exit 0" 0 "$RC"
check "doctor: nothing failed" grep -Eq '^[0-9]+ passed, 0 failed, ' "$H/stdout"
check "doctor: no word of the secrets" fails grep -Eq 'pgpass|userlist' "$H/out"
check "nothing pushed" test ! -e "$H/app_app1/userlist.synced"

echo "# status after a promotion nobody deployed"
set_primary node2 2
run_sub status
check_eq "exit 1" 1 "$RC"
check "names the new primary" grep -q "^Cluster main: primary node 2 (node2) at 127.0.0.1:$node2, timeline $(pg_timeline node2)" "$H/stdout"
check "app1 still points at node 1: not current" grep -Eq '^app1 +127\.0\.0\.1 +node 1 \(node1\).* NO ' "$H/stdout"
check "app2 too" grep -Eq '^app2 +127\.0\.0\.1 +node 1 \(node1\).* NO ' "$H/stdout"
run_pgdeploy
check_eq "deploy: exit 0" 0 "$RC"
run_sub status
check_eq "after the deploy: exit 0" 0 "$RC"

echo "# status: a fragment PgBouncer has not loaded"
# The file says node 1, PgBouncer still serves node 2: written without a reload.
set_primary node1 1
sed -e "s/port=$node2/port=$node1/" -e "s/node 2 (node2) at 127.0.0.1:$node2/node 1 (node1) at 127.0.0.1:$node1/" \
    -e "s/^; Epoch: timeline [0-9]*/; Epoch: timeline $(pg_timeline node1)/" \
    "$H/app_app1/conf/main.ini" >"$H/stale.ini"
as_user cp "$H/stale.ini" "$H/app_app1/conf/main.ini"
run_sub status
check_eq "exit 1" 1 "$RC"
check "the fragment is current but PgBouncer is not" grep -Eq "^app1 .* NO \(live\) +127\.0\.0\.1:$node2 " "$H/stdout"
run_sub status --json
check_eq "json: not current" false "$(json '.hosts[0].current')"
check_eq "json: the fragment is" true "$(json '.hosts[0].fragment_current')"
echo "# status --watch redraws until interrupted: the deploy shows up in a later round"
as_user "$PGDEPLOY" status --watch 1 -c main -p "host=127.0.0.1 port=$node1 dbname=repmgr" \
    --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/watch" 2>"$H/watch.err" &
watcher=$!
check "a first round shows app1 not live" wait_until 10 grep -q "NO (live)" "$H/watch"
run_pgdeploy
check_eq "deploy: exit 0" 0 "$RC"
check "a later round shows app1 current" wait_until 10 grep -Eq "^app1 .* yes " "$H/watch"
pkill -INT -u "$TEST_USER" -f "status --watch 1 -c main" || true
RC=0
wait "$watcher" || RC=$?
sed 's/^/#   | /' "$H/watch" "$H/watch.err"
check_eq "interrupted: the last round's exit status" 0 "$RC"
check "each round is headed with its time" grep -Eq \
    "^Every 1 s: pgdeploy status -c main, $iso_time \(interrupt to stop\)\$" "$H/watch"
check "no colour into a file" fails grep -q $'\033' "$H/watch"
check "nothing on stderr" test ! -s "$H/watch.err"
check "the deploy reloads the PgBouncer that did not load the current file" \
    grep -q 'app1: the fragment in place is current, but PgBouncer routes appdb to appdb at 127.0.0.1:'"$node2"'.*; reloading PgBouncer' "$H/out"
check "app1 routes to node1 again" routes_to app1 node1
run_sub status
check_eq "then status: exit 0" 0 "$RC"

echo "# status on a node whose view is stale: a host holds a newer timeline of the same system"
cp "$H/app_app1/conf/main.ini" "$H/app1.current"
sed -i "s/^; Epoch: timeline [0-9]*/; Epoch: timeline 99/" "$H/app_app1/conf/main.ini"
run_sub status
check_eq "exit 1" 1 "$RC"
check "says first that this node's view is stale, naming the holder" grep -q \
    "^WARNING: this node's view looks stale: app1 holds a fragment of node 1 (node1) at 127.0.0.1:$node1 on timeline 99, newer than timeline $(pg_timeline node1) here" "$H/stdout"
run_sub status --json
check "json: stale_view" test "$(json .stale_view)" != null
cp "$H/app1.current" "$H/app_app1/conf/main.ini"

echo "# on a terminal: status colours CURRENT, status and doctor show their progress on stderr"
# Runs `pgdeploy SUBCOMMAND` on a pseudo-terminal, with the environment ASSIGNMENTs;
# all it wrote in $H/tty.
on_terminal() {
    local sub=$1
    shift
    RC=0
    as_user env "$@" script -qec "$PGDEPLOY $sub -c main -p 'host=127.0.0.1 port=$node1 dbname=repmgr' --ssh-key $SSH_KEY --known-hosts $KNOWN_HOSTS" /dev/null >"$H/tty" || RC=$?
    sed 's/^/#   | /' "$H/tty" | cat -v
}
on_terminal status TERM=dumb
check_eq "status: exit 0" 0 "$RC"
check "yes in green" grep -q $'\033\\[32myes\033\\[0m' "$H/tty"
check "hosts answered, counted" grep -q "2/2 app servers answered" "$H/tty"
on_terminal status NO_COLOR=1
check "NO_COLOR: no colour" fails grep -q $'\033\\[3' "$H/tty"
on_terminal doctor TERM=dumb
check "doctor: hosts checked, counted" grep -q "2/2 app servers checked" "$H/tty"

echo "# status: database problems and unreachable hosts"
RC=0
as_user "$PGDEPLOY" status -c main -p "host=127.0.0.1 port=$(free_port) dbname=repmgr connect_timeout=2" \
    --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" --json >"$H/stdout" 2>"$H/out" || RC=$?
check_eq "database down: exit 3" 3 "$RC"
check_eq "json exit_code 3" 3 "$(json .exit_code)"
check "json names the error" test -n "$(json .error)"
app_server_set app2 ssh_port "$(free_port)"
run_sub status
check_eq "an unreachable host: exit 1" 1 "$RC"
check "its problem is named" grep -q '^app2: connect: ' "$H/stdout"
check "it is shown unknown (?), not NO" grep -Eq '^app2 +127\.0\.0\.1 +\? +\? ' "$H/stdout"
run_sub status --json
check_eq "json: current is null for it" null "$(json '.hosts[1].current')"
app_server_set app2 ssh_port "$SSH_PORT"

echo "# doctor on a healthy setup"
# Every file, hidden ones included, with its mode, size and time; not the directories' own
# times, which doctor's probe of config_dir (a file created and removed) moves on.
listing_before=$(ls -lA --full-time "$H/app_app1/conf" "$H/app_app2/conf")
reloads_before="$(reloads app1) $(reloads app2)"
run_sub doctor -f "$H/repmgr_node1.conf"
check_eq "exit 0" 0 "$RC"
check "nothing failed; PgBouncer's slow failover settings and the promotion's wait are warnings" \
    grep -Eq '^[0-9]+ passed, 0 failed, 1 skipped, 3 warnings$' "$H/stdout"
check "warns that repmgr runs the hook a second late, with the setting that avoids it" grep -qF \
    "[WARN] repmgr.conf: the hook runs as soon as a standby is promoted: service_promote_command is not set" "$H/stdout"
check "the fix names this node's data directory" grep -qF \
    "fix: set service_promote_command='pg_ctl -w -D $H/pg_node1 promote'" "$H/stdout"
for item in "pgdeploy: front end and core program from one build: $H/libexec/pgdeploy/pgdeploy " \
    "repmgr.conf: event_notification_command runs pgdeploy" \
    "metadata: exactly one active primary: node 1 (node1)" \
    "metadata: primary reachable and not in recovery: 127.0.0.1:$node1, timeline $(pg_timeline node1)" \
    "app1 (127.0.0.1): host key known and matching" \
    "app1 (127.0.0.1): config_dir writable" \
    "app1 (127.0.0.1): PgBouncer includes the fragment" \
    "app1 (127.0.0.1): reload works without a prompt: admin console: PgBouncer 1.18" \
    "app1 (127.0.0.1): PgBouncer serves the fragment: 3 databases" \
    "app2 (127.0.0.1): reload works without a prompt: \`kill -HUP" \
    "app2 (127.0.0.1): SSH authentication: as $TEST_USER" \
    "app1 (127.0.0.1): sessions move at once after a failover: through admin_conninfo" \
    "app2 (127.0.0.1): sessions move at once after a failover: PgBouncer's console over SSH: psql on the host, admin rights"; do
    check "passes: $item" grep -qF "[PASS] $item" "$H/stdout"
done
# The harness's PgBouncers set server_login_retry = 1 but leave the other settings at their
# defaults.
check "warns about the settings that slow a failover, with the values to set" \
    grep -qF "[WARN] app1 (127.0.0.1): PgBouncer settings for a fast failover: server_connect_timeout = 15: " "$H/stdout"
check "the fix names every value" grep -qF \
    "fix: set server_connect_timeout = 3, query_wait_timeout = 30, server_fast_close = 1 in the [pgbouncer] section of $H/app_app1/pgbouncer.ini, then reload PgBouncer" "$H/stdout"
check "server_login_retry = 1 is not warned about" fails grep -q "server_login_retry" "$H/stdout"
echo "# doctor: service_promote_command set"
as_user cp "$H/repmgr_node1.conf" "$H/repmgr_promote.conf"
echo "service_promote_command='$PG_BINDIR/pg_ctl -w -D $H/pg_node1 promote'" | as_user tee -a "$H/repmgr_promote.conf" >/dev/null
run_sub doctor -f "$H/repmgr_promote.conf"
check "passes: the hook runs as soon as a standby is promoted" \
    grep -qF "[PASS] repmgr.conf: the hook runs as soon as a standby is promoted" "$H/stdout"
echo "# doctor: PgBouncer's console cannot be reached over SSH"
as_user sed "s|^unix_socket_dir = .*|unix_socket_dir = $H/nowhere|" "$H/app_app2/pgbouncer.ini" >"$H/app2_elsewhere.ini"
app_server_set app2 pgbouncer_ini "$(sql_lit "$H/app2_elsewhere.ini")"
run_sub doctor
check_eq "still exit 0: a warning" 0 "$RC"
check "says so and what to configure" grep -q "^\[WARN\] app2 (127.0.0.1): sessions move at once after a failover: .*psql" "$H/stdout"
check "the fix names admin_conninfo and admin_users" grep -q "fix: set admin_conninfo, or install psql on app2 and add $TEST_USER to admin_users in $H/app2_elsewhere.ini" "$H/stdout"
app_server_set app2 pgbouncer_ini "$(sql_lit "$H/app_app2/pgbouncer.ini")"
check "skips the live check without an admin console" \
    grep -q '^\[skip\] app2 (127.0.0.1): PgBouncer serves the fragment: no admin_conninfo' "$H/stdout"
check_eq "doctor changed no directory" "$listing_before" "$(ls -lA --full-time "$H/app_app1/conf" "$H/app_app2/conf")"
check_eq "doctor reloaded no PgBouncer" "$reloads_before" "$(reloads app1) $(reloads app2)"
run_sub doctor -f "$H/repmgr_node1.conf" --json
check_eq "json: exit 0" 0 "$RC"
check_eq "json: nothing failed" 0 "$(json .failed)"

echo "# doctor: unknown host key"
app_server_set app2 ip_addr "'127.0.0.2'"  # the test known_hosts lists 127.0.0.1 only
run_sub doctor
check_eq "exit 1" 1 "$RC"
check_eq "names only the host key" "app2 (127.0.0.2): host key known and matching" "$(failed_items)"
check "says how to fix it" grep -qF "       fix: compare the key that \`ssh-keyscan -p $SSH_PORT 127.0.0.2\` shows with the server's own, then put it in $KNOWN_HOSTS" "$H/stdout"
check "lists the live check once" test "$(grep -c 'app2 (127.0.0.2): PgBouncer serves the fragment' "$H/stdout")" = 1
check "the later SSH steps are skipped" grep -q '^\[skip\] app2 (127.0.0.2): config_dir writable' "$H/stdout"
app_server_set app2 ip_addr "'127.0.0.1'"

echo "# doctor: unwritable config_dir"
chmod 0555 "$H/app_app1/conf"
run_sub doctor
check_eq "exit 1" 1 "$RC"
check_eq "names only config_dir" "app1 (127.0.0.1): config_dir writable" "$(failed_items)"
check "says who cannot write" grep -q "\[FAIL\] app1 (127.0.0.1): config_dir writable: $TEST_USER cannot create a file in $H/app_app1/conf" "$H/stdout"
chmod 0755 "$H/app_app1/conf"
check "no temporary file was left" dir_holds_only "$H/app_app1/conf" main.ini

echo "# doctor: missing config_dir"
app_server_set app2 config_dir "$(sql_lit "$H/app_app2/missing")"
run_sub doctor
check "names config_dir (and the include of a fragment elsewhere)" \
    test "$(failed_items | head -n1)" = "app2 (127.0.0.1): config_dir writable"
check "says it does not exist" grep -q "config_dir writable: $H/app_app2/missing does not exist" "$H/stdout"
app_server_set app2 config_dir "$(sql_lit "$H/app_app2/conf")"

echo "# doctor: PgBouncer does not include the fragment"
cp "$H/app_app2/pgbouncer.ini" "$H/app2.ini.saved"
sed -i 's/^%include /;%include /' "$H/app_app2/pgbouncer.ini"
run_sub doctor
check_eq "exit 1" 1 "$RC"
check_eq "names only the include" "app2 (127.0.0.1): PgBouncer includes the fragment" "$(failed_items)"
check "the fix names the line to add" grep -qF "fix: add \`%include $H/app_app2/conf/main.ini\` under [databases]" "$H/stdout"
{ echo '[pgbouncer]'; echo "%include $H/app_app2/conf/main.ini"; } >>"$H/app_app2/pgbouncer.ini"
run_sub doctor
check "an include under [pgbouncer] is named as such" \
    grep -q "PgBouncer includes the fragment: .* outside \[databases\]" "$H/stdout"
cp "$H/app2.ini.saved" "$H/app_app2/pgbouncer.ini"
app_server_set app2 pgbouncer_ini "$(sql_lit "$H/app_app2/nowhere.ini")"
run_sub doctor
check_eq "a wrong pgbouncer_ini: names the include" "app2 (127.0.0.1): PgBouncer includes the fragment" "$(failed_items)"
check "says the file does not exist" grep -q "nowhere.ini does not exist" "$H/stdout"
app_server_set app2 pgbouncer_ini "$(sql_lit "$H/app_app2/pgbouncer.ini")"

echo "# doctor: admin console user without admin rights"
cp "$H/app_app1/pgbouncer.ini" "$H/app1.ini.saved"
sed -i "s/^admin_users = .*/admin_users = nobody\nstats_users = $TEST_USER/" "$H/app_app1/pgbouncer.ini"
bouncer_reload app1
wait_until 10 fails bouncer_psql app1 pgbouncer 'RELOAD'
run_sub doctor
check_eq "exit 1" 1 "$RC"
check_eq "names only the reload path" "app1 (127.0.0.1): reload works without a prompt" "$(failed_items)"
check "says the user may only SHOW" grep -q 'may only SHOW (stats_users), not RELOAD' "$H/stdout"
cp "$H/app1.ini.saved" "$H/app_app1/pgbouncer.ini"
bouncer_reload app1
wait_until 10 bouncer_psql app1 pgbouncer 'RELOAD' >/dev/null

echo "# doctor: the admin console does not answer"
app_server_set app1 admin_conninfo "$(sql_lit "host=127.0.0.1 port=$(free_port) user=$TEST_USER")"
run_sub doctor
check_eq "names only the reload path" "app1 (127.0.0.1): reload works without a prompt" "$(failed_items)"
check "says the console cannot be reached" grep -q 'reload works without a prompt: admin console: cannot connect' "$H/stdout"
check "the live check waits for the console" grep -q '^\[skip\] app1 (127.0.0.1): PgBouncer serves the fragment: needs the admin console' "$H/stdout"
app_server_set app1 admin_conninfo "$(sql_lit "host=127.0.0.1 port=$(bouncer_port app1) user=$TEST_USER")"

echo "# doctor: reload through sudo without a sudoers rule"
app_server_set app2 reload_command NULL
run_sub doctor
check_eq "exit 1" 1 "$RC"
check_eq "names only the reload path" "app2 (127.0.0.1): reload works without a prompt" "$(failed_items)"
# shellcheck disable=SC2016  # the backquotes are doctor's, not a command substitution
check "names the command" grep -q 'reload works without a prompt: `sudo -n service pgbouncer reload`' "$H/stdout"
app_server_set app2 reload_command "$(sql_lit "$(bouncer_reload_command app2)")"

echo "# doctor: PgBouncer serves something else than the fragment"
sed -e "s/port=$node1/port=$node2/" "$H/app_app1/conf/main.ini" >"$H/other.ini"
as_user cp "$H/other.ini" "$H/app_app1/conf/main.ini"
run_sub doctor
check_eq "names only the live check" "app1 (127.0.0.1): PgBouncer serves the fragment" "$(failed_items)"
check "says what PgBouncer does instead" grep -q "PgBouncer routes appdb to appdb at 127.0.0.1:$node1, not to appdb at 127.0.0.1:$node2" "$H/stdout"
run_pgdeploy
check_eq "a deploy repairs it: exit 0" 0 "$RC"

echo "# doctor: repmgr.conf's hook"
grep -v '^event_notification_command' "$H/repmgr_node1.conf" >"$H/bad_repmgr.conf"
echo "event_notification_command='$PGDEPLOY -c main --event=%e --node-id=%n'" >>"$H/bad_repmgr.conf"
chmod 0644 "$H/bad_repmgr.conf"
run_sub doctor -f "$H/bad_repmgr.conf"
check_eq "exit 1" 1 "$RC"
check_eq "names only the hook command" "repmgr.conf: event_notification_command runs pgdeploy" "$(failed_items)"
check "says what it lacks" grep -q 'event_notification_command lacks --success=%s' "$H/stdout"
echo "event_notifications='standby_promote,node_rejoin'" >>"$H/bad_repmgr.conf"
run_sub doctor -f "$H/bad_repmgr.conf"
check "names the missing events" grep -q 'event_notifications leaves out repmgrd_failover_promote, standby_switchover' "$H/stdout"

echo "# doctor: hosts that cannot be reached, users that cannot log in"
app_server_set app1 ip_addr "'no-such-host.invalid'"
app_server_set app2 username "'nobody'"
run_sub doctor
check_eq "exit 1" 1 "$RC"
check_eq "names the address and the login" \
    "$(printf '%s\n' 'app1 (no-such-host.invalid): address resolves' 'app2 (127.0.0.1): SSH authentication')" \
    "$(failed_items)"
app_server_set app1 ip_addr "'127.0.0.1'"
app_server_set app2 username "$(sql_lit "$TEST_USER")"
app_server_set app2 ssh_port "$(free_port)"
run_sub doctor
check_eq "a closed SSH port" "app2 (127.0.0.1): SSH port open" "$(failed_items)"
app_server_set app2 ssh_port "$SSH_PORT"

echo "# doctor: the database"
RC=0
as_user "$PGDEPLOY" doctor -c main -p "host=127.0.0.1 port=$(free_port) dbname=repmgr connect_timeout=2" \
    --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/stdout" 2>"$H/out" || RC=$?
check_eq "database down: exit 1" 1 "$RC"
check_eq "names only the database" "metadata: database reachable" "$(failed_items)"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET active = true WHERE node_id = 2" >/dev/null
run_sub doctor
check_eq "two primaries: names only that" "metadata: exactly one active primary" "$(failed_items)"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET active = false WHERE node_id = 2" >/dev/null
run_sub doctor --public-net
check_eq "--public-net without node_public_info" "metadata: node_public_info row of the primary" "$(failed_items)"

echo "# doctor: a corrupt known_hosts line for the host, before its valid line"
{ printf '[127.0.0.1]:%s ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA\n' "$SSH_PORT"; cat "$KNOWN_HOSTS"; } |
    write_as_user "$H/corrupt_known_hosts"
RC=0
as_user "$PGDEPLOY" doctor -c main -p "host=127.0.0.1 port=$node1 dbname=repmgr" \
    --ssh-key "$SSH_KEY" --known-hosts "$H/corrupt_known_hosts" >"$H/stdout" 2>"$H/out" || RC=$?
sed 's/^/#   | /' "$H/stdout" "$H/out"
check_eq "exit 1" 1 "$RC"
check_eq "names only the host key, for both hosts" \
    "$(printf '%s\n' 'app1 (127.0.0.1): host key known and matching' 'app2 (127.0.0.1): host key known and matching')" \
    "$(failed_items)"
check "names the corrupt line" grep -qF "[FAIL] app1 (127.0.0.1): host key known and matching: known_hosts line $H/corrupt_known_hosts:1 is corrupt (its ssh-ed25519 key does not decode)" "$H/stdout"
check "and how to fix it" grep -qF "       fix: repair or delete that line of $H/corrupt_known_hosts" "$H/stdout"
check "does not call the host unknown" fails grep -q 'is not in' "$H/stdout"

echo "# a newline and escape sequences in names from the database are printed escaped"
pg_psql node1 repmgr "UPDATE repmgr.app_servers SET node_name = E'app1\\npgdeploy: info: forged\\x1b[2J' WHERE node_name = 'app1'" \
    "UPDATE repmgr.nodes SET node_name = E'node1\\nforged\\x1b]0;title\\x07' WHERE node_id = 1" >/dev/null
# No raw escape or bell byte, and no line that starts with the forged text.
unforged() { ! grep -Pq '[\x1b\x07]' "$@" && ! grep -Eq '^(pgdeploy: info: forged|forged)' "$@"; }
run_sub status
check "status: nothing forged" unforged "$H/stdout" "$H/out"
check "status: the host's name shown escaped" grep -qF 'app1\npgdeploy: info: forged\x1b[2J ' "$H/stdout"
check "status: the primary's name shown escaped" grep -qF 'primary node 1 (node1\nforged\x1b]0;title\x07)' "$H/stdout"
run_sub doctor
check "doctor: nothing forged" unforged "$H/stdout" "$H/out"
check "doctor: the host's name shown escaped" grep -qF '[PASS] app1\npgdeploy: info: forged\x1b[2J (127.0.0.1): ' "$H/stdout"
run_pgdeploy -v --metrics-file "$H/forged.prom"
check_eq "deploy: exit 0" 0 "$RC"
check "deploy log: nothing forged" unforged "$H/out"
check "metrics: promtool accepts the escaped names" sh -c "promtool check metrics <'$H/forged.prom'"
check "metrics: nothing raw" unforged "$H/forged.prom"
check "deploy log: the host's name escaped" grep -qF 'info: app1\npgdeploy: info: forged\x1b[2J (127.0.0.1): ' "$H/out"
check "deploy log: the primary's name escaped" grep -qF 'primary node 1 (node1\nforged\x1b]0;title\x07)' "$H/out"
run_sub status --json
check "status --json: JSON escapes them" \
    json_says 'any(.hosts[]; .name | startswith("app1\npgdeploy: info: forged\u001b"))' <"$H/stdout"
check "status --json: nothing raw" unforged "$H/stdout"
pg_psql node1 repmgr "UPDATE repmgr.app_servers SET node_name = 'app1' WHERE node_name LIKE 'app1%'" \
    "UPDATE repmgr.nodes SET node_name = 'node1' WHERE node_id = 1" >/dev/null
run_pgdeploy  # the fragments name the primary

echo "# a byte that is not UTF-8 in a fragment's header: --json stays valid JSON"
# The fragment is the app server's file, so any byte may be in it; 0xFF is never UTF-8.
cp "$H/app_app1/conf/main.ini" "$H/app1.current"
LC_ALL=C sed 's/^\(; Primary: node 1 (node1\)/\1\xff/' "$H/app1.current" |
    write_as_user "$H/app_app1/conf/main.ini"
check "the fragment holds the byte" env LC_ALL=C grep -q $'(node1\xff)' "$H/app_app1/conf/main.ini"
run_sub status --json
check "status --json: valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$H/stdout"
check_eq "status --json: the byte as U+FFFD" $'node1\xef\xbf\xbd' "$(json '.hosts[0].fragment.primary_name')"
run_sub --dry-run --json
check "--dry-run --json: valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$H/stdout"
check "--dry-run --json: the diff shows U+FFFD" \
    json_says '.hosts[0].diff | contains("(node1\ufffd)")' <"$H/stdout"
run_pgdeploy  # the fragment as pgdeploy writes it
check "the fragment no longer holds it" fails env LC_ALL=C grep -q $'\xff' "$H/app_app1/conf/main.ini"

echo "# the old command lines still deploy"
run_pgdeploy --check
check_eq "--check without a subcommand: exit 0" 0 "$RC"
RC=0
as_user "$PGDEPLOY" status --dry-run -c main >/dev/null 2>"$H/out" || RC=$?
check_eq "status --dry-run is a usage error" 2 "$RC"

harness_summary
