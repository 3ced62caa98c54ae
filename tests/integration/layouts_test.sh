#!/usr/bin/env bash
# The table layouts pgdeploy must read without configuration: repmgr 1-3's
# repmgr_<cluster>.repl_nodes, and an app_servers table of the original agent
# with only its original columns (then upgraded with sql/upgrade_app_servers.sql).
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

harness_init
pg_start node1
pg_psql node1 postgres "CREATE DATABASE appdb" "CREATE DATABASE legacy" "CREATE DATABASE original" >/dev/null
sshd_start
pgbouncer_start app1
conninfo="host=127.0.0.1 port=$(pg_port node1) user=$TEST_USER dbname=legacy"

echo "# repmgr 3: schema repmgr_main, table repl_nodes, type 'master'"
pg_psql node1 legacy "CREATE SCHEMA repmgr_main" \
    "CREATE TABLE repmgr_main.repl_nodes (
        id integer PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('master', 'standby', 'witness')),
        upstream_node_id integer REFERENCES repmgr_main.repl_nodes (id),
        cluster text NOT NULL, name text NOT NULL, conninfo text NOT NULL,
        slot_name text, priority integer NOT NULL, active boolean NOT NULL DEFAULT true)" \
    "INSERT INTO repmgr_main.repl_nodes VALUES
        (1, 'master', NULL, 'main', 'node1', $(sql_lit "$conninfo"), NULL, 100, true),
        (2, 'standby', 1, 'main', 'node2', 'host=192.0.2.2 dbname=legacy', NULL, 100, true),
        (3, 'master', NULL, 'main', 'old', 'host=192.0.2.3 dbname=legacy', NULL, 100, false)" >/dev/null
as_user psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port node1)" -d legacy \
    -v schema=repmgr_main -f "$H/sql/app_servers_repmgr3.sql"
check_eq "app_servers_repmgr3.sql takes -v schema= as the other scripts do" repmgr_main \
    "$(pg_psql node1 legacy "SELECT relnamespace::regnamespace FROM pg_class WHERE relname = 'app_servers'")"
# The spelling of earlier versions still works: -v cluster=main.
pg_psql node1 postgres "CREATE DATABASE legacy_cluster" >/dev/null
pg_psql node1 legacy_cluster "CREATE SCHEMA repmgr_main" >/dev/null
as_user psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port node1)" -d legacy_cluster \
    -v cluster=main -f "$H/sql/app_servers_repmgr3.sql"
check_eq "-v cluster=main still creates repmgr_main.app_servers" repmgr_main \
    "$(pg_psql node1 legacy_cluster "SELECT relnamespace::regnamespace FROM pg_class WHERE relname = 'app_servers'")"
pg_psql node1 legacy "INSERT INTO repmgr_main.app_servers (id, name, ip_addr, username, ssh_port, config_dir, reload_command)
    VALUES (101, 'app1', '127.0.0.1', $(sql_lit "$TEST_USER"), $SSH_PORT, $(sql_lit "$H/app_app1/conf"),
            $(sql_lit "$(bouncer_reload_command app1)"))" >/dev/null
run_pgdeploy -p "host=127.0.0.1 port=$(pg_port node1) dbname=legacy"
check_eq "repmgr 3 layout: exit 0" 0 "$RC"
check "the active master is the primary" grep -q '^; Primary: node 1 (node1)' "$H/app_app1/conf/main.ini"
check "app1 routes to node1" wait_until 5 routes_to app1 node1

echo "# the original agent's app_servers: original columns only, ip_addr of type inet"
pg_psql node1 original "CREATE SCHEMA repmgr" \
    "CREATE TABLE repmgr.nodes (node_id integer PRIMARY KEY, upstream_node_id integer,
        active boolean NOT NULL DEFAULT true, node_name text NOT NULL, type text NOT NULL,
        location text NOT NULL DEFAULT 'default', priority integer NOT NULL DEFAULT 100,
        conninfo text NOT NULL, repluser varchar(63) NOT NULL, slot_name text, config_file text NOT NULL)" \
    "INSERT INTO repmgr.nodes (node_id, node_name, type, conninfo, repluser, config_file)
        VALUES (1, 'node1', 'primary', $(sql_lit "${conninfo/legacy/original}"), 'repmgr', '/dev/null')" \
    "CREATE TABLE repmgr.app_servers (node_id integer PRIMARY KEY, node_name text NOT NULL,
        ip_addr inet NOT NULL, username text DEFAULT 'postgres', application_name text DEFAULT '',
        enabled boolean DEFAULT true, auth_trust boolean DEFAULT false)" \
    "INSERT INTO repmgr.app_servers (node_id, node_name, ip_addr, username)
        VALUES (101, 'app1', '127.0.0.1', $(sql_lit "$TEST_USER"))" >/dev/null
run_pgdeploy -v -p "host=127.0.0.1 port=$(pg_port node1) dbname=original"
# Without the new columns the defaults apply: SSH port 22, which no test server
# can listen on unprivileged. Reading the table and trying port 22 is the proof.
check "original columns read, default SSH port 22 used" \
    grep -q "ssh: connecting to $TEST_USER@127.0.0.1:22\$" "$H/out"
check_eq "that host fails alone: exit 1" 1 "$RC"

echo "# upgraded with sql/upgrade_app_servers.sql"
for _ in 1 2; do  # the upgrade may be run twice
    as_user psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port node1)" -d original \
        -f "$H/sql/upgrade_app_servers.sql"
done
pg_psql node1 original "UPDATE repmgr.app_servers SET ssh_port = $SSH_PORT,
    config_dir = $(sql_lit "$H/app_app1/conf"),
    admin_conninfo = $(sql_lit "host=127.0.0.1 port=$(bouncer_port app1) user=$TEST_USER")" >/dev/null
echo "; drifted" | write_as_user "$H/app_app1/conf/main.ini"
run_pgdeploy -p "host=127.0.0.1 port=$(pg_port node1) dbname=original"
check_eq "upgraded table: exit 0" 0 "$RC"
check "the upgraded table's admin console verified the load" grep -q 'app1 (127.0.0.1): updated' "$H/out"
check "app1 routes to node1" routes_to app1 node1

echo "# the original agent's node_public_info: (id, conninfo)"
pg_psql node1 original "CREATE TABLE repmgr.node_public_info (id INTEGER PRIMARY KEY, conninfo TEXT)" \
    "INSERT INTO repmgr.node_public_info VALUES (1, 'host=127.0.0.2 port=$(pg_port node1)')" >/dev/null
run_pgdeploy -P -p "host=127.0.0.1 port=$(pg_port node1) dbname=original"
check_eq "-P on the original table: exit 0" 0 "$RC"
check "the fragment routes to the address of its row" \
    grep -q "host=127.0.0.2 port=$(pg_port node1)" "$H/app_app1/conf/main.ini"
pg_psql node1 original "DELETE FROM repmgr.node_public_info" >/dev/null
RC=0
as_user "$PGDEPLOY" doctor -c main -P -p "host=127.0.0.1 port=$(pg_port node1) dbname=original" \
    --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" >"$H/out" 2>&1 || RC=$?
sed 's/^/#   | /' "$H/out"
check "doctor's fix fits the original table" \
    grep -qF "INSERT INTO repmgr.node_public_info (id, conninfo) VALUES (1, 'host=... port=...')" "$H/out"

harness_summary
