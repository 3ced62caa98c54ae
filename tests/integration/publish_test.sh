#!/usr/bin/env bash
# Publishing to etcd against real servers: the first publish creates the keys; a primary
# superseded by a newer timeline and one that diverged on the same timeline lose the store's
# compare and change nothing, in etcd or on the app servers; with etcd unreachable the app
# servers are still pushed and the exit status says the publish failed; a fleet of 200 rows,
# more than one transaction of a default etcd holds, is published row keys first, epoch last.
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

start_primary
start_etcd
# node2: a copy of node1 on the same timeline, standing in for a primary promoted elsewhere.
start_other_primary
pgbouncer_start app1
app_server_add app1 101
app_server_set app1 reload_command "$(sql_lit "$(bouncer_reload_command app1)")"
node1=$(pg_port node1)
node2=$(pg_port node2)
sysid=$(pg_psql node1 postgres "SELECT system_identifier FROM pg_control_system()")
keys=/pgdeploy/main/

# Every key under the cluster's prefix with its value and mod revision, one per line.
stored() {
    etcd_ctl get --prefix "$keys" -w json |
        jq -r '.kvs // [] | .[] | [(.key | @base64d), (.value | @base64d), .mod_revision] | @tsv'
}
value_of() { etcd_ctl get --print-value-only "$keys$1"; }
keep() { stored >"$H/etcd.kept"; cp "$H/app_app1/conf/main.ini" "$H/app1.kept"; }
untouched() { stored | cmp -s "$H/etcd.kept" - && cmp -s "$H/app1.kept" "$H/app_app1/conf/main.ini"; }
publish() { run_pgdeploy --etcd "$ETCD_ENDPOINT" "$@"; }
# shellcheck disable=SC2016 # $db is jq's
databases_hold() { value_of databases | json_says '.names | index($db)' --arg db "$1"; }

echo "# the first publish creates the keys, and app1 is still pushed over SSH"
publish
check_eq "exit status 0" 0 "$RC"
check_eq "the keys under $keys" \
    "$(printf '%s\n' "${keys}app_servers/app1" "${keys}databases" "${keys}epoch" "${keys}primary")" \
    "$(etcd_ctl get --prefix "$keys" --keys-only | sed '/^$/d')"
check_eq "the epoch: node1 on timeline 1 of this system" "1 node1 1 $sysid" \
    "$(value_of epoch | jq -r '"\(.primary.id) \(.primary.name) \(.timeline) \(.system_identifier)"')"
check_eq "the primary: where writes go" "1 node1 127.0.0.1 $node1" \
    "$(value_of primary | jq -r '"\(.id) \(.name) \(.host) \(.port)"')"
check "the databases hold appdb" databases_hold appdb
check_eq "app1's row" "app1 $H/app_app1/conf" \
    "$(value_of app_servers/app1 | jq -r '"\(.name) \(.config_dir)"')"
check "app1 routes to node1" wait_until 5 routes_to app1 node1

echo "# the same state again: nothing written, and keys of others under the prefix stay"
etcd_ctl put "${keys}agents/app9" '{"result":"ok"}' >/dev/null
keep
publish
check_eq "exit status 0" 0 "$RC"
check "the keys and their revisions are unchanged" untouched

echo "# a database created: only the databases and the epoch are written"
revision_of() { stored | awk -F'\t' -v k="$keys$1" '$1 == k { print $3 }'; }
app1_revision=$(revision_of app_servers/app1) databases_revision=$(revision_of databases)
pg_psql node1 postgres "CREATE DATABASE otherdb" >/dev/null
publish
check_eq "exit status 0" 0 "$RC"
check "the databases hold otherdb" databases_hold otherdb
check "the databases key was written" test "$(revision_of databases)" -gt "$databases_revision"
check "the epoch was written with it" test "$(revision_of epoch)" = "$(revision_of databases)"
check_eq "app1's row, unchanged, was not written" "$app1_revision" "$(revision_of app_servers/app1)"
check_eq "nor the primary" "$app1_revision" "$(revision_of primary)"
keep

echo "# node2, promoted from the same parent, also on timeline 1: refused by the store"
metadata_primary node2 2
publish
check_eq "exit status 4" 4 "$RC"
check "the refusal names the holder on the same timeline" \
    grep -q "etcd key ${keys}epoch is held by the primary node 1 (node1) on the same timeline 1: two primaries were promoted from one parent" "$H/out"
check "nothing published, no app server contacted" grep -q "nothing published, no app server contacted" "$H/out"
check "the keys and app1's fragment are unchanged" untouched
check "app1 was not visited" fails grep -q "app1" "$H/out"

echo "# node2 on a newer timeline wins; a disabled app server's key goes"
pgbouncer_start app2
app_server_add app2 102
app_server_set app2 reload_command "$(sql_lit "$(bouncer_reload_command app2)")"
set_primary node2 2
publish
check_eq "exit status 0" 0 "$RC"
check_eq "the epoch: node2 on timeline 2" "2 node2 2" \
    "$(value_of epoch | jq -r '"\(.primary.id) \(.primary.name) \(.timeline)"')"
check "the primary is node2" test "$(value_of primary | jq -r .port)" = "$node2"
check "app2's row was added" test -n "$(value_of app_servers/app2)"
app_server_set app2 enabled false
publish
check_eq "exit status 0" 0 "$RC"
check "app2's row was removed with its server disabled" test -z "$(value_of app_servers/app2)"
check "an agent's key stays" test -n "$(value_of agents/app9)"

echo "# node1, superseded (timeline 1 against the store's 2): refused by the store"
keep
metadata_primary node1 1
publish
check_eq "exit status 4" 4 "$RC"
check "the refusal names the newer holder" \
    grep -q "etcd key ${keys}epoch is held by the primary node 2 (node2) on timeline 2, newer than 1: this run's primary was superseded" "$H/out"
check "the keys and app1's fragment are unchanged" untouched

echo "# a value under the prefix that is no epoch: refused, fail closed"
metadata_primary node2 2
etcd_ctl put "${keys}epoch" 'not json' >/dev/null
keep
publish
check_eq "exit status 4" 4 "$RC"
check "the refusal says the value is no epoch" grep -q "its value is not an epoch pgdeploy wrote" "$H/out"
check "the keys are unchanged" untouched
publish --force
check_eq "--force replaces it: exit status 0" 0 "$RC"
check "the epoch is node2's again" test "$(value_of epoch | jq -r .primary.name)" = node2

echo "# etcd unreachable: app1 still pushed, exit status 1 naming etcd"
stop_etcd
# The metadata (and the databases) are read on node1, where -p points.
pg_psql node1 postgres "CREATE DATABASE newdb" >/dev/null
start=$(now_ms)
publish -t 1
elapsed=$(($(now_ms) - start))
check_eq "exit status 1" 1 "$RC"
check "the error names the endpoint and says app servers are still pushed" \
    grep -q "etcd $ETCD_ENDPOINT: .*nothing published, the app servers are still pushed" "$H/out"
check "app1 received the new database" grep -q "^newdb = host=127.0.0.1 port=$node2 " "$H/app_app1/conf/main.ini"
check "the run did not wait on etcd ($elapsed ms)" test "$elapsed" -lt 8000
echo "# the first endpoint down, the second answering"
start_etcd
publish --etcd "http://127.0.0.1:$(free_port),$ETCD_ENDPOINT"
check_eq "exit status 0" 0 "$RC"
check "newdb is published" databases_hold newdb

echo "# 200 agent rows: more than one etcd transaction holds (--max-txn-ops, default 128)"
# Row keys first, in transactions fenced on the epoch like the last, which writes the epoch.
host_keys() { etcd_ctl get --prefix "${keys}app_servers/host" --keys-only | sed '/^$/d'; }
pg_psql node1 repmgr "INSERT INTO repmgr.app_servers
      (node_id, node_name, ip_addr, username, ssh_port, config_dir, reload_command, delivery)
    SELECT 1000 + k, 'host' || k, '127.0.0.1', $(sql_lit "$TEST_USER"), $SSH_PORT,
           $(sql_lit "$H/fleet/host") || k, 'true', 'agent'
    FROM generate_series(1, 200) AS k" >/dev/null
publish
check_eq "exit status 0" 0 "$RC"
check "no transaction was refused" fails grep -q "too many operations" "$H/out"
check_eq "200 app_servers keys of the fleet" 200 "$(host_keys | wc -l)"
last_row=$(stored | awk -F'\t' -v k="${keys}app_servers/" 'index($1, k) == 1 { print $3 }' |
    sort -n | tail -n 1)
check "the epoch was written last, after every row" test "$(revision_of epoch)" -gt "$last_row"
pg_psql node1 repmgr "DELETE FROM repmgr.app_servers WHERE node_id > 1000" >/dev/null
publish
check_eq "the rows gone: exit status 0" 0 "$RC"
check_eq "their 200 keys removed" 0 "$(host_keys | wc -l)"
check "app1's key stays" test -n "$(value_of app_servers/app1)"

echo "# etcd with authentication: the password from a file, never logged"
password=pub-Secret-42
etcd_ctl user add "root:$password" >/dev/null
etcd_ctl auth enable >/dev/null
printf '%s\n' "$password" | write_as_user "$H/etcd.password"
printf 'wrong\n' | write_as_user "$H/etcd.wrong"
pg_psql node1 postgres "CREATE DATABASE authdb" >/dev/null
publish -v --etcd-user root --etcd-password-file "$H/etcd.password"
check_eq "exit status 0" 0 "$RC"
as_root() { ETCDCTL_USER="root:$password" "$@"; }
check "authdb is published" as_root databases_hold authdb
check "the password is not in the output" fails grep -q "$password" "$H/out"
publish --etcd-user root --etcd-password-file "$H/missing.password" -p "host=127.0.0.1 port=1"
check_eq "an unreadable password file: exit status 2, before the database" 2 "$RC"
check "the error names the file" grep -q "cannot read the etcd password from $H/missing.password" "$H/out"
publish --etcd-user root --etcd-password-file "$H/etcd.wrong"
check_eq "a wrong password: exit status 1" 1 "$RC"
check "the error says the authentication failed" \
    grep -q "etcd $ETCD_ENDPOINT: authentication as root failed" "$H/out"

harness_summary
