#!/usr/bin/env bash
# When the database or its metadata cannot be trusted, pgdeploy stops before it
# contacts any app server: exit 3 (unreachable, missing, no primary) or 4 (two
# primaries), files untouched. Usage errors exit 2. Secrets never reach output.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_primary
pg_start node2
pgbouncer_start app1
app_server_add app1 101
app_server_set app1 reload_command "$(sql_lit "$(bouncer_reload_command app1)")"

run_pgdeploy
check_eq "a first deploy works" 0 "$RC"
cp "$H/app_app1/conf/main.ini" "$H/deployed.ini"

ssh_sessions() { grep -c 'Accepted publickey' "$H/ssh/sshd.log" || true; }
# Runs pgdeploy expecting exit status WANT, output matching PATTERN, the
# deployed file byte-identical and no SSH session opened.
refuses() {
    local want=$1 pattern=$2 before
    shift 2
    before=$(ssh_sessions)
    run_pgdeploy "$@"
    [ "$RC" = "$want" ] || { echo "exit status $RC, expected $want"; return 1; }
    grep -q -- "$pattern" "$H/out" || { echo "no line matches: $pattern"; return 1; }
    cmp "$H/deployed.ini" "$H/app_app1/conf/main.ini" || return 1
    [ "$(ssh_sessions)" = "$before" ] || { echo "an SSH session was opened"; return 1; }
}

echo "# the database is down"
pg_stop node1
check "database unreachable: exit 3, nothing pushed" \
    refuses 3 'error: cannot connect to the repmgr database'
check "on one line, naming the option to check" \
    grep -Eq '^pgdeploy: error: cannot connect to the repmgr database: [^\]*Connection refused; Is the server running .* \(check -p\); nothing was pushed$' "$H/out"
pg_start node1

echo "# no active primary"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET active = false" >/dev/null
check "no active primary: exit 3, nothing pushed" refuses 3 'no active primary in "repmgr"."nodes"'
check "a deploy says so" grep -q 'no active primary in .*; nothing was pushed$' "$H/out"
for mode in --dry-run --check; do
    run_pgdeploy "$mode"
    check "$mode, which never pushes, names the problem" grep -q 'no active primary in' "$H/out"
    check "$mode does not say that nothing was pushed" fails grep -q 'nothing was pushed' "$H/out"
done
pg_psql node1 repmgr "UPDATE repmgr.nodes SET active = true" >/dev/null

echo "# two active primaries"
pg_psql node1 repmgr "INSERT INTO repmgr.nodes (node_id, node_name, type, active, conninfo,
    repluser, location, priority, config_file) VALUES (2, 'node2', 'primary', true,
    $(sql_lit "host=127.0.0.1 port=$(pg_port node2) dbname=repmgr"), 'repmgr', 'default', 100, '/dev/null')" >/dev/null
check "two active primaries: exit 4 naming both, nothing pushed" \
    refuses 4 '2 active primaries in "repmgr"."nodes": node 1 (node1), node 2 (node2)'
run_pgdeploy --check
check_eq "--check: two active primaries are CRITICAL (exit 2)" 2 "$RC"
check "--check names them" grep -q '^PGDEPLOY CRITICAL - 2 active primaries' "$H/out"
pg_psql node1 repmgr "DELETE FROM repmgr.nodes WHERE node_id = 2" >/dev/null

echo "# the primary the metadata names does not answer"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET conninfo = $(sql_lit "host=127.0.0.1 port=$(free_port) dbname=repmgr") WHERE node_id = 1" >/dev/null
check "primary unreachable: exit 3, nothing pushed" refuses 3 'the primary node 1 (node1) is unreachable'
pg_psql node1 repmgr "UPDATE repmgr.nodes SET conninfo = $(sql_lit "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr") WHERE node_id = 1" >/dev/null

echo "# app_servers missing"
pg_psql node1 repmgr "ALTER TABLE repmgr.app_servers RENAME TO app_servers_old" >/dev/null
check "no app_servers table: exit 3, nothing pushed" refuses 3 'repmgr.app_servers does not exist'
check "the hint names the installed script" grep -q "create it with psql -f /[^ ]*/share/pgdeploy/sql/app_servers.sql" "$H/out"
pg_psql node1 repmgr "ALTER TABLE repmgr.app_servers_old RENAME TO app_servers" >/dev/null

echo "# no repmgr metadata at all"
check "a database without repmgr: exit 3" refuses 3 'no repmgr metadata in this database' \
    -p "host=127.0.0.1 port=$(pg_port node1) dbname=appdb"

echo "# a primary conninfo that application servers cannot use"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET conninfo = 'host=/tmp dbname=repmgr password=Xyzzy-1'" >/dev/null
check "Unix socket conninfo: exit 3 without the password" \
    refuses 3 'primary node 1 (node1): unusable conninfo: conninfo names a Unix socket'
check "the password is not in the output" fails grep -q Xyzzy "$H/out"

echo "# secrets in conninfos never appear in output or fragments"
pg_psql node1 repmgr "UPDATE repmgr.nodes SET conninfo =
    $(sql_lit "host=127.0.0.1 port=$(pg_port node1) user=$TEST_USER password=Primary-Secret-7 dbname=repmgr")" >/dev/null
app_server_set app1 application_name "'billing'"
run_pgdeploy -v -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr password=Local-Secret-9"
check_eq "deploy with passwords in the conninfos works" 0 "$RC"
check "no password in the verbose output" fails grep -q -E 'Primary-Secret-7|Local-Secret-9' "$H/out"
check "no password in the fragment" fails grep -q -E 'password|Secret' "$H/app_app1/conf/main.ini"
check "the local conninfo is logged redacted" grep -q 'password=\*\*\*\*\*\*\*\*' "$H/out"

echo "# the primary's conninfo without a port: the fragment names the endpoint that was checked"
node1=$(pg_port node1)
set_nodes_conninfo() { pg_psql node1 repmgr "UPDATE repmgr.nodes SET conninfo = $(sql_lit "$1") WHERE node_id = 1" >/dev/null; }
# Like run_pgdeploy, with ENV=value words first for pgdeploy's environment.
run_with_env() {
    local env=()
    while [[ ${1:-} == *=* ]]; do env+=("$1"); shift; done
    RC=0
    as_user env "${env[@]}" "$PGDEPLOY" -c main -p "host=127.0.0.1 port=$node1 dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" "$@" >"$H/out" 2>&1 || RC=$?
    sed 's/^/#   | /' "$H/out"
}
names_node1() {
    grep -qx "; Primary: node 1 (node1) at 127.0.0.1:$node1" "$H/app_app1/conf/main.ini" &&
        grep -q "^repmgr = host=127.0.0.1 port=$node1 dbname=repmgr\( \|\$\)" "$H/app_app1/conf/main.ini"
}
set_nodes_conninfo "host=127.0.0.1 user=$TEST_USER dbname=repmgr"
run_with_env PGPORT="$node1"
check_eq "checked at PGPORT: exit 0" 0 "$RC"
check "the fragment names PGPORT's port, not 5432" names_node1
check "and no 5432 anywhere in it" fails grep -q 5432 "$H/app_app1/conf/main.ini"
printf '[node1]\nhost=127.0.0.1\nport=%s\n' "$node1" | write_as_user "$H/pg_service.conf"
set_nodes_conninfo "service=node1 user=$TEST_USER dbname=repmgr"
run_with_env PGSERVICEFILE="$H/pg_service.conf"
check_eq "service= conninfo: exit 0" 0 "$RC"
check "the fragment names the service's host and port" names_node1
set_nodes_conninfo "host=127.0.0.1 port=$node1 dbname=repmgr"

echo "# a password written without its keyword never reaches any output"
# Every output path: deploy's log, its --json report, status and doctor, each with --json too.
secret_free_everywhere() {
    local conninfo=$1 pattern=$2 sub leaked=0
    for sub in deploy "deploy --json" status "status --json" doctor "doctor --json"; do
        RC=0
        # shellcheck disable=SC2086 # the words of $sub are separate arguments
        as_user "$PGDEPLOY" ${sub#deploy} -c main -p "$conninfo" --ssh-key "$SSH_KEY" \
            --known-hosts "$KNOWN_HOSTS" >"$H/stdout" 2>"$H/out" || RC=$?
        sed 's/^/#   | /' "$H/stdout" "$H/out"
        # grep reads the files itself: grep -q at the end of a pipe can leave cat with SIGPIPE,
        # which pipefail would count as no match.
        if grep -q SeCrEt "$H/stdout" "$H/out"; then
            echo "$sub: the secret is in its output"; leaked=1
        fi
        if ! grep -q -- "$pattern" "$H/stdout" "$H/out"; then
            echo "$sub: no line matches $pattern"; leaked=1
        fi
    done
    return "$leaked"
}
check "-p: never quoted, the problem named" secret_free_everywhere \
    "host=127.0.0.1 SeCrEt port=$node1 dbname=repmgr" \
    '-p: invalid connection string: missing .*=.* after a keyword'
set_nodes_conninfo "host=127.0.0.1 SeCrEt port=$node1 dbname=repmgr"
check "repmgr's conninfo of the primary: never quoted, the problem named" secret_free_everywhere \
    "host=127.0.0.1 port=$node1 dbname=repmgr" \
    'node 1 (node1).*invalid connection string: missing .*=.* after a keyword'
set_nodes_conninfo "host=127.0.0.1 port=$node1 dbname=repmgr"
app_server_set app1 admin_conninfo "$(sql_lit "host=127.0.0.1 SeCrEt port=$(bouncer_port app1)")"
check "admin_conninfo: never quoted, the problem named" secret_free_everywhere \
    "host=127.0.0.1 port=$node1 dbname=repmgr" \
    'admin_conninfo: invalid connection string: missing .*=.* after a keyword'
app_server_set app1 admin_conninfo NULL

echo "# usage and configuration errors: exit 2"
usage_error() {
    local pattern=$1
    shift
    RC=0
    as_user "$PGDEPLOY" "$@" >"$H/out" 2>&1 || RC=$?
    [ "$RC" = 2 ] || { echo "exit status $RC"; cat "$H/out"; return 1; }
    grep -q -- "$pattern" "$H/out" || { cat "$H/out"; return 1; }
}
check "missing --cluster" usage_error 'no cluster given: pass -c CLUSTER'
check "invalid cluster name" usage_error 'cluster name must match' -c 'a b'
check "cluster name with a slash" usage_error 'cluster name must match' -c '../etc'
check "unknown option" usage_error 'unknown option --no-such-option' -c main --no-such-option
check "missing SSH key names the file" usage_error 'cannot read SSH key /nonexistent' \
    -c main --ssh-key /nonexistent --known-hosts "$KNOWN_HOSTS"
check "missing known_hosts names the file" \
    usage_error 'known hosts file /nonexistent does not exist' -c main --ssh-key "$SSH_KEY" --known-hosts /nonexistent
check "not a key" usage_error 'cannot load SSH key' -c main --ssh-key "$KNOWN_HOSTS" --known-hosts "$KNOWN_HOSTS"
check "timeout out of range" usage_error 'timeout' -c main -t 0
check "--verbose with --quiet" usage_error 'exclude each other' -c main -v -q
check "--version prints the version" as_user "$PGDEPLOY" --version

harness_summary
