#!/usr/bin/env bash
# The baseline: what users run today, the fencing loop from repmgr's
# documentation ("Fencing a failed master node with repmgrd and pgbouncer",
# repmgr doc/repmgrd-node-fencing.md), without the promotion that precedes it.
# For each PgBouncer host in turn: query repmgr.nodes twice with psql (the
# read-write line from the active primary, the read-only line from the node
# named like the host), write the fragment, rsync it over ssh, and send RELOAD
# with psql to PgBouncer's admin console.
#
# Two deliberate differences from the documented script, so that it writes a
# fragment PgBouncer 1.18 loads: it copies only host and port out of repmgr's
# conninfo (PgBouncer rejects repmgr's connect_timeout and the whole load
# fails), and the read-write line is named after the database itself, like
# pgdeploy's. The costs are those of the documented loop: three psql runs and
# one rsync over a new SSH connection per host, one host after the other.
#
# Usage: baseline.sh CONF HOSTS
#   CONF   shell assignments written by bench/run (database, SSH, admin console)
#   HOSTS  one line per application server: NAME ADDRESS CONFIG_DIR
set -euo pipefail
# shellcheck source=/dev/null # the CONF file bench/run writes
. "$1"
hosts=$2

new=$(mktemp /tmp/pgbouncer.database.ini.XXXXXX)
trap 'rm -f "$new"' EXIT
ssh_command="ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -i $SSH_KEY -o UserKnownHostsFile=$KNOWN_HOSTS -o StrictHostKeyChecking=yes -p $SSH_PORT"
# A PgBouncer connection string for the nodes the WHERE clause selects.
route="'host=' || substring(conninfo from 'host=([^ ]+)')
       || ' port=' || coalesce(substring(conninfo from 'port=([0-9]+)'), '5432')
       || ' dbname=$DATABASE'"

while read -r host addr dir; do
    # Recreate the pgbouncer config file
    printf '[databases]\n\n' >"$new"
    psql -X -h "$REPMGR_HOST" -p "$REPMGR_PORT" -U "$REPMGR_USER" -d "$REPMGR_DB" -t -A \
        -c "SELECT '$DATABASE = ' || $route || ' application_name=pgbouncer_$host'
            FROM repmgr.nodes WHERE active = TRUE AND type = 'primary'" >>"$new"
    psql -X -h "$REPMGR_HOST" -p "$REPMGR_PORT" -U "$REPMGR_USER" -d "$REPMGR_DB" -t -A \
        -c "SELECT '$DATABASE-ro = ' || $route || ' application_name=pgbouncer_$host'
            FROM repmgr.nodes WHERE node_name = '$host'" >>"$new"
    rsync -e "$ssh_command" "$new" "$SSH_USER@$addr:$dir/main.ini"
    psql -X -tc "reload" -h "$BOUNCER_HOST" -p "$BOUNCER_PORT" -U "$BOUNCER_USER" pgbouncer >/dev/null
done <"$hosts"
