# shellcheck shell=bash
# Integration test harness for pgdeploy: real PostgreSQL + repmgr, sshd and
# PgBouncer servers, all unprivileged, on loopback, in one temporary directory.
#
# Source it from a test script (works under `set -euo pipefail`):
#
#   . "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
#   harness_init                      # needs PGDEPLOY_BIN=<built binary>
#   pg_start node1; repmgr_register_primary node1 1
#   sshd_start; pgbouncer_start app1; app_server_add app1 101
#   check "something" some_command args...
#   harness_summary                   # last command: its status is the script's
#
# Functions (contracts):
#   harness_init                 temp dir $H, $TEST_USER, EXIT/INT/TERM cleanup,
#                                $PGDEPLOY (copy of $PGDEPLOY_BIN, with its core and agent programs and
#                                build-token in $H/libexec/pgdeploy as installed), $H/sql
#                                (copy of sql/)
#   as_user CMD...               run CMD as $TEST_USER in $H (env is kept; use `env V=x`)
#   free_port                    print an unused loopback port in 20000-31999
#   pg_start NAME                initdb (first time) + start $H/pg_NAME; exports PGPORT_NAME
#   pg_port NAME                 print the port of server NAME (works in subshells)
#   pg_stop NAME                 fast shutdown of server NAME (pg_start restarts it)
#   pg_psql NAME DB SQL...       psql -X -At as $TEST_USER, one -c per SQL argument
#   repmgr_register_primary NAME NODE_ID
#                                database repmgr, $H/repmgr_NAME.conf, `primary register`,
#                                and repmgr.app_servers from $H/sql/app_servers.sql
#   sshd_start                   sshd on 127.0.0.1 and 127.0.0.2, same port;
#                                exports SSH_PORT, SSH_KEY, KNOWN_HOSTS (127.0.0.1 only)
#   sshd_connections             print how many connections the sshd has accepted so far
#   pgbouncer_start NAME [POOL_MODE]
#                                PgBouncer app server in $H/app_NAME, fragment dir
#                                $H/app_NAME/conf, included file conf/main.ini;
#                                exports BOUNCER_PORT_NAME
#   bouncer_port NAME            print the PgBouncer listen port
#   bouncer_pidfile NAME         print the PgBouncer pidfile path
#   bouncer_psql NAME DB SQL     psql through PgBouncer NAME as $TEST_USER
#   bouncer_reload_command NAME  print a shell command that reloads it by SIGHUP
#   app_server_add NAME NODE_ID [ADDR]
#                                row in node1's repmgr.app_servers (ADDR: 127.0.0.1)
#   sql_lit STRING               print STRING as a SQL string literal
#   write_as_user FILE           write stdin to FILE, owned by $TEST_USER
#   check NAME CMD...            run CMD; print "ok - NAME" / "not ok - NAME" and count
#   fails CMD...                 true if CMD exits non-zero (but not 127: not found)
#   check_eq NAME EXPECTED ACTUAL
#   wait_until SECONDS CMD...    poll CMD every 0.1 s; non-zero status on timeout
#   repmgrd_configure NAME       automatic failover settings for repmgrd on server NAME (short
#                                monitoring intervals), and the hook's own lock directory
#   repmgrd_start NAME           repmgrd for server NAME, daemonized, pidfile $H/repmgrd_NAME.pid
#   repmgrd_stop NAME            stop it (harness_cleanup stops every repmgrd too)
#   repmgrd_active NAME          repmgrd runs for NAME and is not paused
#   pg_kill_after_write NAME     commit a write on NAME, kill it (-m immediate); print the time
#   repmgr_primary_is NAME ID    NAME's repmgr.nodes names node ID as the only active primary
#   pg_is_primary NAME           server NAME is not in recovery
#   pg_streams_from NAME UPSTREAM  server NAME streams WAL from server UPSTREAM
#   writer_start NAME PORT       write to appdb through PORT in a loop (see writer_start)
#   writer_stop NAME             stop it
#   json_says FILTER [JQ_OPTS]   stdin is JSON and jq FILTER is true for it (empty: false)
#   harness_summary              print "N passed, M failed"; non-zero status if M > 0
#   harness_cleanup              stop every server (continuing stopped ones first), remove
#                                $H (kept if KEEP_HARNESS=1)
#   harness_continue_pidfile F   SIGCONT the process of pidfile F and its children
#   continue_stopped PID         SIGCONT PID and its parent (runuser, which stopped with it)
#   start_primary                harness_init, node1 as repmgr primary with appdb, sshd
#   start_three_nodes            harness_init, node1 primary with appdb and table writes, node2
#                                and node3 standbys cloned from it, sshd
#   start_other_primary          node2, a writable copy of node1 (appdb, repmgr)
#   set_primary PG ID            PG, on a new timeline, as the only active primary
#   metadata_primary PG ID       PG as the only active primary, on the timeline it is on
#   start_app_servers CONSOLE SIGNAL
#                                PgBouncers app1 and app2 as app servers 101 and 102;
#                                CONSOLE reloads by admin console, SIGNAL by SIGHUP
#   start_etcd                   one etcd member on loopback as $TEST_USER, data in $H/etcd;
#                                exports ETCD_ENDPOINT (http://127.0.0.1:PORT); the suite is
#                                skipped when etcd is not installed; $ETCD_EXTRA_ARGS (words)
#                                are added to etcd's command line
#   stop_etcd                    stop it (harness_cleanup stops it too); start_etcd restarts it
#                                on the same data and port
#   etcd_ctl ARGS...             etcdctl (API 3) against $ETCD_ENDPOINT
#   publish_on PG [OPTIONS]      pgdeploy -c main --etcd, metadata read on server PG; RC, $H/out
#
# Exported variables: H, TEST_USER, PGDEPLOY, PG_BINDIR, PGPORT_<name>,
# BOUNCER_PORT_<name>, SSH_PORT, SSH_KEY, KNOWN_HOSTS, ETCD_ENDPOINT.
# harness_init installs its own EXIT trap: callers must not replace it.

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Debian layout; the versioned directory avoids pg_wrapper picking another major.
export PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PGBOUNCER_BIN=${PGBOUNCER_BIN:-/usr/sbin/pgbouncer}
# sshd re-executes itself and refuses to run unless started by absolute path.
SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}

HARNESS_PASS=0
HARNESS_FAIL=0
HARNESS_CLEANED=0

# ---------------------------------------------------------------- setup

# The server programs the suites start, with the Debian package of each.
harness_servers() {
    echo "$PG_BINDIR/initdb postgresql-15"
    echo "$PG_BINDIR/pg_ctl postgresql-15"
    echo "$PG_BINDIR/repmgr postgresql-15-repmgr"
    echo "$PGBOUNCER_BIN pgbouncer"
    echo "$SSHD_BIN openssh-server"
}

# Ends the suite when a server program is missing: with "skipped: ..." and status 0
# (ctest reports the suite as skipped), or with status 1 when HARNESS_MISSING=fail.
harness_require_servers() {
    local program package
    while read -r program package; do
        [ -x "$program" ] && continue
        if [ "${HARNESS_MISSING:-skip}" = fail ]; then
            echo "harness: $program is missing: install the package $package" >&2
            exit 1
        fi
        echo "skipped: $(basename "$0"): $program is missing (package $package)"
        exit 0
    done <<<"$(harness_servers)"
}

harness_init() {
    : "${PGDEPLOY_BIN:?PGDEPLOY_BIN must name the built pgdeploy binary}"
    harness_require_servers
    [ -x "$PGDEPLOY_BIN" ] || { echo "harness: $PGDEPLOY_BIN is not executable" >&2; return 1; }
    # pgdeploy hands every run with work to its core program (an agent to the agent program
    # beside it): build/libexec/pgdeploy/pgdeploy
    # in the build tree, /usr/libexec/pgdeploy/pgdeploy when installed.
    local core
    core=$(dirname "$PGDEPLOY_BIN")/libexec/pgdeploy/pgdeploy
    [ -x "$core" ] || core=$(dirname "$PGDEPLOY_BIN")/../libexec/pgdeploy/pgdeploy
    [ -x "$core" ] || { echo "harness: no core program beside $PGDEPLOY_BIN" >&2; return 1; }
    # Explicitly under /tmp: a TMPDIR inside a root-only home would be
    # unreachable for the unprivileged user.
    H=$(mktemp -d /tmp/pgdeploy-it.XXXXXXXX)
    export H
    chmod 0755 "$H"
    # Installed before anything else can fail, so a half-started run is cleaned.
    trap harness_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # PostgreSQL and PgBouncer refuse to run as root; sshd as non-root can
    # only log in its own user. So everything runs as one unprivileged user.
    if [ "$(id -u)" = 0 ]; then TEST_USER=postgres; else TEST_USER=$(id -un); fi
    export TEST_USER
    # The source tree may sit under a root-only directory: give the test
    # user its own copies of the binary and the SQL files.
    mkdir -p "$H/bin"
    cp "$PGDEPLOY_BIN" "$H/bin/pgdeploy"
    mkdir -p "$H/libexec/pgdeploy"
    cp "$core" "$(dirname "$core")/pgdeploy-agent" "$(dirname "$core")/build-token" \
        "$H/libexec/pgdeploy/"
    chmod 0755 "$H/bin/pgdeploy" "$H/libexec/pgdeploy/pgdeploy" "$H/libexec/pgdeploy/pgdeploy-agent"
    export PGDEPLOY="$H/bin/pgdeploy"
    cp -R "$HARNESS_DIR/../../sql" "$H/sql"
    chmod -R a+rX "$H/sql"
    mkdir -p "$H/sock"
    # pgdeploy's run lock lives here, not in the node's /run/pgdeploy: suites
    # running at the same time must not wait for each other's runs.
    mkdir -p "$H/run"
    chmod 0700 "$H/run"
    export PGDEPLOY_LOCK_DIR="$H/run"
    : >"$H/ports"
    chown -R "$TEST_USER" "$H"
}

as_user() {
    # cd "$H": the caller's directory may be unreadable for the test user,
    # and initdb/pg_ctl/pgbouncer complain about an unreachable cwd.
    if [ "$(id -u)" = 0 ]; then
        (cd "$H" && runuser -u "$TEST_USER" -- "$@")
    else
        (cd "$H" && "$@")
    fi
}

# Write stdin to FILE as the test user, so the file belongs to it.
write_as_user() {
    as_user tee "$1" >/dev/null
}

# True if something accepts TCP connections on ADDR:PORT.
port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

free_port() {
    local port
    # A port queued by harness_take_port: handed out unprobed, as if taken in the race.
    if [ -s "$H/ports_taken" ]; then
        port=$(head -n1 "$H/ports_taken")
        sed -i 1d "$H/ports_taken"
        echo "$port"
        return 0
    fi
    while :; do
        # Below the kernel's ephemeral range (32768+), where outgoing
        # connections could hold a port that a probe cannot see.
        port=$(((RANDOM << 15 | RANDOM) % 12000 + 20000))
        # Ports already handed out are recorded in a file, not a variable:
        # callers use $(free_port), a subshell that cannot update variables.
        grep -qx "$port" "$H/ports" && continue
        # sshd also binds 127.0.0.2, so both addresses must be free.
        port_open 127.0.0.1 "$port" && continue
        port_open 127.0.0.2 "$port" && continue
        echo "$port" >>"$H/ports"
        echo "$port"
        return 0
    done
}

# For the harness's own test: holds a free port on 127.0.0.1 with a listener of
# its own (ended with the suite) and queues it as free_port's next answer, as if
# another suite took it between free_port's probe and a server's bind.
harness_take_port() {
    local port
    port=$(free_port)
    python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(600)' "$port" >/dev/null 2>&1 &
    echo "$!" >>"$H/blockers"
    wait_until 5 port_open 127.0.0.1 "$port"
    echo "$port" >>"$H/ports_taken"
    echo "$port"
}

# True when LOG says a server could not bind its port. free_port's probe and the
# server's bind are apart: a suite running at the same time may take the port between
# them. The servers the harness starts then try another port.
port_was_taken() {
    grep -q 'Address already in use' "$1" 2>/dev/null
}

# Variable names are built from server names, so keep those to identifiers.
harness_name_ok() {
    [[ $1 =~ ^[A-Za-z0-9_]+$ ]] || { echo "harness: bad name '$1'" >&2; return 1; }
}

sql_lit() {
    printf "'%s'" "${1//\'/\'\'}"
}

# ---------------------------------------------------------------- PostgreSQL

pg_port() {
    cat "$H/pg_$1.port"
}

pg_init() {
    local name=$1 dir=$H/pg_$1 port
    port=$(free_port)
    echo "$port" >"$H/pg_$name.port"
    as_user "$PG_BINDIR/initdb" -A trust -N -E UTF8 --locale=C -D "$dir" >"$H/initdb_$name.log" 2>&1 ||
        { cat "$H/initdb_$name.log" >&2; return 1; }
    as_user tee -a "$dir/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$H/sock'
fsync = off
shared_preload_libraries = 'repmgr'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
wal_log_hints = on
EOF
    # Replace the default file: repmgr needs replication connections too.
    write_as_user "$dir/pg_hba.conf" <<EOF
local all         all              trust
host  all         all 127.0.0.1/32 trust
local replication all              trust
host  replication all 127.0.0.1/32 trust
EOF
}

pg_start() {
    local name=$1 attempt
    harness_name_ok "$name"
    # A second pg_start after pg_stop restarts the same cluster on its port.
    [ -f "$H/pg_$name/PG_VERSION" ] || pg_init "$name"
    for attempt in 1 2 3; do
        if as_user "$PG_BINDIR/pg_ctl" -w -D "$H/pg_$name" -l "$H/pg_$name.log" \
            -o "-p $(pg_port "$name")" start >/dev/null; then
            touch "$H/pg_$name.started"
            export "PGPORT_$name=$(pg_port "$name")"
            return 0
        fi
        # Only a first start moves: a restart keeps the port repmgr's metadata holds.
        if [ -f "$H/pg_$name.started" ] || [ "$attempt" = 3 ] ||
            ! port_was_taken "$H/pg_$name.log"; then
            break
        fi
        pg_move_port "$name"
    done
    echo "harness: PostgreSQL $name did not start" >&2
    return 1
}

# Gives server NAME, before its first start, another port: in its port file, its
# postgresql.conf (the last setting wins) and its repmgr.conf, if it has one yet.
pg_move_port() {
    local name=$1 old new
    old=$(pg_port "$name")
    new=$(free_port)
    echo "harness: port $old of $name was taken meanwhile; trying $new" >&2
    echo "$new" >"$H/pg_$name.port"
    echo "port = $new" | as_user tee -a "$H/pg_$name/postgresql.conf" >/dev/null
    if [ -f "$H/repmgr_$name.conf" ]; then
        as_user sed -i "s/ port=$old / port=$new /" "$H/repmgr_$name.conf"
    fi
}

pg_stop() {
    as_user "$PG_BINDIR/pg_ctl" -w -m fast -D "$H/pg_$1" stop >/dev/null
}

pg_psql() {
    local name=$1 db=$2 sql args=()
    shift 2
    for sql in "$@"; do args+=(-c "$sql"); done
    as_user "$PG_BINDIR/psql" -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port "$name")" \
        -U "$TEST_USER" -d "$db" "${args[@]}"
}

# ---------------------------------------------------------------- repmgr

# Write $H/repmgr_NAME.conf for server NAME as repmgr node NODE_ID. Extra
# settings (e.g. event_notification_command) can be appended to that file.
repmgr_write_conf() {
    local name=$1 node_id=$2
    write_as_user "$H/repmgr_$name.conf" <<EOF
node_id=$node_id
node_name='$name'
conninfo='host=127.0.0.1 port=$(pg_port "$name") user=$TEST_USER dbname=repmgr connect_timeout=2'
data_directory='$H/pg_$name'
pg_bindir='$PG_BINDIR'
use_replication_slots=yes
log_file='$H/repmgr_$name.log'
EOF
}

# Run repmgr as $TEST_USER with server NAME's configuration; output goes to its log.
repmgr_as() {
    local name=$1
    shift
    as_user "$PG_BINDIR/repmgr" -f "$H/repmgr_$name.conf" "$@" >>"$H/repmgr_$name.log" 2>&1 || {
        echo "harness: repmgr $* failed for $name" >&2
        tail -n 20 "$H/repmgr_$name.log" >&2
        return 1
    }
}

repmgr_register_primary() {
    local name=$1 node_id=$2 port
    port=$(pg_port "$name")
    pg_psql "$name" postgres "CREATE DATABASE repmgr OWNER \"$TEST_USER\"" >/dev/null
    repmgr_write_conf "$name" "$node_id"
    # Created as the test user so that repmgr itself may also write log_file.
    as_user touch "$H/repmgr_$name.log"
    repmgr_as "$name" primary register
    as_user "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$TEST_USER" \
        -d repmgr -f "$H/sql/app_servers.sql" >/dev/null
    local n
    n=$(pg_psql "$name" repmgr "SELECT count(*) FROM repmgr.nodes
        WHERE node_id = $node_id AND type = 'primary' AND active")
    [ "$n" = 1 ] || { echo "harness: node $node_id is not an active primary in repmgr.nodes" >&2; return 1; }
}

# Clone server NAME from UPSTREAM with `repmgr standby clone`, start it on its
# own port and register it as standby node NODE_ID.
repmgr_clone_standby() {
    local name=$1 node_id=$2 upstream=$3
    harness_name_ok "$name"
    free_port >"$H/pg_$name.port"
    repmgr_write_conf "$name" "$node_id"
    as_user touch "$H/repmgr_$name.log"
    # Without --fast-checkpoint the clone waits for the next checkpoint: minutes.
    repmgr_as "$name" -h 127.0.0.1 -p "$(pg_port "$upstream")" -U "$TEST_USER" -d repmgr \
        standby clone --fast-checkpoint
    # The clone copied the upstream's postgresql.conf; the last setting wins.
    echo "port = $(pg_port "$name")" | as_user tee -a "$H/pg_$name/postgresql.conf" >/dev/null
    pg_start "$name"
    repmgr_as "$name" standby register
}

# ---------------------------------------------------------------- sshd

sshd_start() {
    local d=$H/ssh attempt
    as_user mkdir -p "$d"
    as_user ssh-keygen -q -t ed25519 -N '' -C pgdeploy-test-host -f "$d/host_ed25519"
    as_user ssh-keygen -q -t ed25519 -N '' -C pgdeploy-test-client -f "$d/id_ed25519"
    as_user cp "$d/id_ed25519.pub" "$d/authorized_keys"
    # Remote sessions get their own HOME ($H/remote_home): what pgdeploy writes
    # there (~/.pgpass) never touches the test user's real home.
    as_user mkdir -p -m 0700 "$H/remote_home"
    export SSH_KEY=$d/id_ed25519 KNOWN_HOSTS=$d/known_hosts
    for attempt in 1 2 3; do
        SSH_PORT=$(free_port)
        export SSH_PORT
        sshd_launch "$d" || return 1
        # sshd binds after it has daemonized, and another process may hold the port: wait for
        # its own word on 127.0.0.1 (listening, or the bind failed) before judging.
        wait_until 10 sshd_said_loopback "$d/sshd.log" ||
            { echo "harness: sshd did not listen" >&2; return 1; }
        # sshd runs on when only one of its two addresses is taken.
        port_was_taken "$d/sshd.log" || break
        [ "$attempt" != 3 ] || { echo "harness: sshd found no free port" >&2; return 1; }
        echo "harness: sshd's port $SSH_PORT was taken meanwhile; trying another" >&2
        harness_kill_pidfile "$d/sshd.pid"
        as_user rm -f "$d/sshd.log"
    done
    # ConnectTimeout bounds the banner exchange too: a port held by something else fails.
    as_user ssh -F /dev/null -i "$SSH_KEY" -o UserKnownHostsFile="$KNOWN_HOSTS" -o ConnectTimeout=20 \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -p "$SSH_PORT" "$TEST_USER@127.0.0.1" true ||
        { echo "harness: ssh login to the test sshd failed" >&2; return 1; }
}

# Writes sshd's configuration for $SSH_PORT in DIR and starts it.
# sshd's log LOG says whether it listens on 127.0.0.1:$SSH_PORT or could not bind there.
sshd_said_loopback() {
    grep -qE "^(Server listening on 127\.0\.0\.1 port $SSH_PORT\.|Bind to port $SSH_PORT on 127\.0\.0\.1 failed)" "$1" 2>/dev/null
}
sshd_launch() {
    local d=$1
    # Only 127.0.0.1 is known: tests use 127.0.0.2 for an unknown host key.
    echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$d/host_ed25519.pub")" | write_as_user "$d/known_hosts"
    # Non-root sshd: no PAM, no privilege separation checks on our files;
    # MaxStartups raised because pgdeploy opens many connections at once.
    write_as_user "$d/sshd_config" <<EOF
ListenAddress 127.0.0.1:$SSH_PORT
ListenAddress 127.0.0.2:$SSH_PORT
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
AllowUsers $TEST_USER
UsePAM no
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 400:30:800
MaxSessions 50
SetEnv HOME=$H/remote_home
PrintMotd no
LogLevel VERBOSE
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
    as_user "$SSHD_BIN" -f "$d/sshd_config" -E "$d/sshd.log" ||
        { echo "harness: sshd did not start, see $d/sshd.log" >&2; return 1; }
}

# How many connections the test sshd has accepted so far (LogLevel VERBOSE logs each one,
# authenticated or not).
sshd_connections() {
    grep -c 'Connection from ' "$H/ssh/sshd.log" || true
}

# ---------------------------------------------------------------- PgBouncer

bouncer_port() {
    cat "$H/app_$1/port"
}

bouncer_pidfile() {
    echo "$H/app_$1/pgbouncer.pid"
}

pgbouncer_start() {
    local name=$1 d=$H/app_$1 pool_mode=${2:-session} attempt
    harness_name_ok "$name"
    as_user mkdir -p -m 0755 "$d" "$d/conf"
    # PgBouncer refuses to start when an %include target is missing.
    echo "; empty" | write_as_user "$d/conf/main.ini"
    # auth_type=trust still requires the user to be listed in auth_file.
    echo "\"$TEST_USER\" \"\"" | write_as_user "$d/userlist.txt"
    for attempt in 1 2 3; do
        free_port | write_as_user "$d/port"
        pgbouncer_launch "$name" "$pool_mode" || return 1
        # PgBouncer daemonizes before it binds: its log tells whether the port was free.
        wait_until 10 bouncer_listens_or_failed "$name" || break
        port_was_taken "$d/pgbouncer.log" || break
        [ "$attempt" != 3 ] || break
        echo "harness: PgBouncer $name's port $(bouncer_port "$name") was taken meanwhile; trying another" >&2
        harness_kill_pidfile "$(bouncer_pidfile "$name")"
        as_user rm -f "$d/pgbouncer.log"
    done
    export "BOUNCER_PORT_$name=$(bouncer_port "$name")"
    wait_until 10 bouncer_admin_ok "$name" ||
        { echo "harness: PgBouncer $name does not answer SHOW VERSION" >&2; return 1; }
}

# True once PgBouncer NAME logged that it listens on its port, or that it could not.
bouncer_listens_or_failed() {
    grep -q -e "listening on 127.0.0.1:$(bouncer_port "$1")" -e 'Address already in use' \
        "$H/app_$1/pgbouncer.log" 2>/dev/null
}

# Writes PgBouncer NAME's configuration for its port file's port and starts it.
pgbouncer_launch() {
    local name=$1 d=$H/app_$1 pool_mode=$2 port
    port=$(bouncer_port "$name")
    write_as_user "$d/pgbouncer.ini" <<EOF
[databases]
%include $d/conf/main.ini

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir = $d
auth_type = trust
auth_file = $d/userlist.txt
admin_users = $TEST_USER
pool_mode = $pool_mode
pidfile = $d/pgbouncer.pid
logfile = $d/pgbouncer.log
server_login_retry = 1
EOF
    as_user "$PGBOUNCER_BIN" -d "$d/pgbouncer.ini" ||
        { echo "harness: PgBouncer $name did not start" >&2; return 1; }
}

bouncer_admin_ok() {
    # Bounded: a port that another program holds may accept and never answer.
    as_user timeout 5 "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$(bouncer_port "$1")" \
        -U "$TEST_USER" -d pgbouncer -c 'SHOW VERSION' >/dev/null 2>&1
}

bouncer_psql() {
    as_user "$PG_BINDIR/psql" -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(bouncer_port "$1")" \
        -U "$TEST_USER" -d "$2" -c "$3"
}

bouncer_reload_command() {
    echo "kill -HUP \"\$(cat $H/app_$1/pgbouncer.pid)\""
}

app_server_add() {
    local name=$1 node_id=$2 addr=${3:-127.0.0.1}
    pg_psql node1 repmgr "INSERT INTO repmgr.app_servers
        (node_id, node_name, ip_addr, username, ssh_port, config_dir, pgbouncer_ini)
        VALUES ($node_id, $(sql_lit "$name"), $(sql_lit "$addr"), $(sql_lit "$TEST_USER"),
                $SSH_PORT, $(sql_lit "$H/app_$name/conf"), $(sql_lit "$H/app_$name/pgbouncer.ini"))" >/dev/null
}

# ---------------------------------------------------------------- etcd

# A deploy that publishes to etcd too, reading the metadata on server PG (more options may
# follow); exit status in RC, output in $H/out, shown as "#   | " lines.
publish_on() {
    local pg=$1
    shift
    RC=0
    as_user "$PGDEPLOY" -c main -p "host=127.0.0.1 port=$(pg_port "$pg") dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" --etcd "$ETCD_ENDPOINT" "$@" \
        >"$H/out" 2>&1 || RC=$?
    sed 's/^/#   | /' "$H/out"
}
etcd_ctl() {
    ETCDCTL_API=3 etcdctl --endpoints="$ETCD_ENDPOINT" --command-timeout=5s "$@"
}

etcd_healthy() {
    etcd_ctl endpoint health >/dev/null 2>&1
}

start_etcd() {
    local d=$H/etcd attempt peer
    if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
        echo "skipped: $(basename "$0"): etcd or etcdctl is missing (packages etcd-server, etcd-client)"
        exit 0
    fi
    as_user mkdir -p -m 0700 "$d"
    for attempt in 1 2 3; do
        # A restart keeps its ports: clients were given the endpoint.
        [ -s "$d/ports" ] || echo "$(free_port) $(free_port)" | write_as_user "$d/ports"
        read -r ETCD_PORT peer <"$d/ports"
        export ETCD_ENDPOINT=http://127.0.0.1:$ETCD_PORT
        # shellcheck disable=SC2016 # expanded by the inner shell
        as_user sh -c 'etcd --name pgdeploy-test --data-dir "$1/data" \
            --listen-client-urls "http://127.0.0.1:$2" --advertise-client-urls "http://127.0.0.1:$2" \
            --listen-peer-urls "http://127.0.0.1:$3" --initial-advertise-peer-urls "http://127.0.0.1:$3" \
            --initial-cluster "pgdeploy-test=http://127.0.0.1:$3" $4 >>"$1/etcd.log" 2>&1 &
            echo $! >"$1/etcd.pid"' etcd "$d" "$ETCD_PORT" "$peer" "${ETCD_EXTRA_ARGS:-}"
        wait_until 20 etcd_healthy && return 0
        harness_kill_pidfile "$d/etcd.pid"
        grep -qi "address already in use" "$d/etcd.log" ||
            { echo "harness: etcd did not start, see $d/etcd.log" >&2; return 1; }
        echo "harness: etcd's port was taken meanwhile; trying another" >&2
        as_user rm -f "$d/ports" "$d/etcd.log"
    done
    echo "harness: etcd found no free port" >&2
    return 1
}

stop_etcd() {
    # A test may have stopped it (SIGSTOP): a stopped process never shuts down.
    kill -CONT "$(cat "$H/etcd/etcd.pid")" 2>/dev/null || true
    harness_kill_pidfile "$H/etcd/etcd.pid"
}

# ---------------------------------------------------------------- cleanup

# A daemon's parent is PID 1, which may reap late (container inits do):
# a zombie still answers kill -0, so look at the process state instead.
harness_alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $state != Z* ]]
}

# Signal the process in PIDFILE, wait up to 5 s, then SIGKILL it.
# Continues PID after a SIGSTOP, and its parent: runuser (as_user) stopped itself when it saw
# its child stop, and would stay stopped (holding the output open) after the child ends; it
# continues the child once continued itself.
continue_stopped() {
    kill -CONT "$1" "$(ps -o ppid= -p "$1" | tr -d ' ')" 2>/dev/null || true
}

# Continue (SIGCONT) the process of PIDFILE and its children: a test may have
# stopped a postmaster or a backend, and a stopped process never shuts down.
harness_continue_pidfile() {
    local pid
    [ -s "$1" ] || return 0
    pid=$(head -n1 "$1")
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill -CONT "$pid" 2>/dev/null
    pkill -CONT -P "$pid" 2>/dev/null
    return 0
}

harness_kill_pidfile() {
    local pid i
    [ -s "$1" ] || return 0
    pid=$(head -n1 "$1")
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        harness_alive "$pid" || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
}

harness_print_logs() {
    local f
    for f in "$H"/pg_*.log "$H"/repmgr_*.log "$H"/app_*/pgbouncer.log "$H"/ssh/sshd.log \
        "$H"/etcd/etcd.log; do
        [ -f "$f" ] || continue
        echo "# ---- tail $f" >&2
        tail -n 30 "$f" | sed 's/^/#   /' >&2
    done
}

harness_cleanup() {
    local status=$? d pids=()
    # Stopping must not abort half-way, whatever the caller's shell options.
    set +e +u
    [ "$HARNESS_CLEANED" = 1 ] && return 0
    HARNESS_CLEANED=1
    [ -n "${H:-}" ] && [ -d "$H" ] || return 0
    [ "$status" != 0 ] && harness_print_logs
    # repmgrd first: with its servers going down it would try to promote one.
    for d in "$H"/repmgrd_*.pid; do
        harness_kill_pidfile "$d"
    done
    # Then the processes a test started beside the servers (agents, port blockers), before
    # the servers: an agent that stops revokes its lease in etcd.
    [ ! -s "$H/blockers" ] || xargs kill <"$H/blockers" 2>/dev/null
    for d in "$H"/pg_*/; do
        [ -f "$d/postmaster.pid" ] || continue
        harness_continue_pidfile "$d/postmaster.pid"
        # Immediate: nothing to preserve; pg_ctl -w waits for every backend.
        as_user "$PG_BINDIR/pg_ctl" -w -t 10 -m immediate -D "$d" stop >/dev/null 2>&1 ||
            harness_kill_pidfile "$d/postmaster.pid"
    done
    for d in "$H"/app_*/; do
        harness_kill_pidfile "$d/pgbouncer.pid"
    done
    harness_continue_pidfile "$H/etcd/etcd.pid"
    harness_kill_pidfile "$H/etcd/etcd.pid"
    if [ -s "$H/ssh/sshd.pid" ]; then
        # Session processes are children of the listener and outlive it.
        pkill -KILL -P "$(head -n1 "$H/ssh/sshd.pid")" 2>/dev/null
        harness_kill_pidfile "$H/ssh/sshd.pid"
    fi
    # Safety net for anything whose pidfile was never written (start failed
    # half-way): match the unique temp dir path in its command line.
    mapfile -t pids < <(pgrep -u "${TEST_USER:-root}" -f -- "$H/")
    if [ "${#pids[@]}" -gt 0 ]; then
        echo "# harness: killing leftover processes ${pids[*]}" >&2
        kill -KILL "${pids[@]}" 2>/dev/null
        sleep 0.2
    fi
    if [ "${KEEP_HARNESS:-0}" = 1 ]; then
        echo "# harness: kept $H" >&2
    else
        rm -rf "$H"
    fi
    return 0
}

# ---------------------------------------------------------------- assertions

check() {
    local name=$1 out
    shift
    # Output only matters when the check fails; then it is shown as comments.
    if out=$("$@" 2>&1); then
        HARNESS_PASS=$((HARNESS_PASS + 1))
        echo "ok - $name"
    else
        HARNESS_FAIL=$((HARNESS_FAIL + 1))
        echo "not ok - $name"
        [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
    fi
    return 0
}

# `check NAME fails CMD...` expects CMD to fail. Unlike `bash -c '! ...'`
# it can run harness functions, and a missing command does not count as failure.
fails() {
    local rc=0
    "$@" || rc=$?
    [ "$rc" != 0 ] && [ "$rc" != 127 ]
}

check_eq() {
    local name=$1 expected=$2 actual=$3
    if [ "$expected" = "$actual" ]; then
        HARNESS_PASS=$((HARNESS_PASS + 1))
        echo "ok - $name"
    else
        HARNESS_FAIL=$((HARNESS_FAIL + 1))
        echo "not ok - $name"
        echo "#   expected: '$expected'"
        echo "#   actual:   '$actual'"
    fi
    return 0
}

wait_until() {
    local limit=$1 deadline
    shift
    # EPOCHREALTIME (bash 5) gives sub-second deadlines; $SECONDS is too coarse.
    deadline=$((${EPOCHREALTIME/[.,]/} + limit * 1000000))
    until "$@"; do
        ((${EPOCHREALTIME/[.,]/} < deadline)) || return 1
        sleep 0.1
    done
}

harness_summary() {
    echo "$HARNESS_PASS passed, $HARNESS_FAIL failed"
    [ "$HARNESS_FAIL" = 0 ]
}

# ---------------------------------------------------------------- pgdeploy

# The start most suites share: the harness, node1 registered as the repmgr
# primary with a database appdb, and the sshd.
start_primary() {
    harness_init
    pg_start node1
    repmgr_register_primary node1 1
    pg_psql node1 postgres "CREATE DATABASE appdb" >/dev/null
    sshd_start
}

# A replicated cluster: node1 the repmgr primary with database appdb and its table writes
# (for clients' writes: at, via, and the server's time), node2 and node3 its standbys, the sshd.
start_three_nodes() {
    harness_init
    pg_start node1
    repmgr_register_primary node1 1
    pg_psql node1 postgres "CREATE DATABASE appdb" >/dev/null
    pg_psql node1 appdb "CREATE TABLE writes (id serial PRIMARY KEY, at text, via text,
                                              written timestamptz DEFAULT now())" >/dev/null
    repmgr_clone_standby node2 2 node1
    repmgr_clone_standby node3 3 node1
    sshd_start
}

# A second server node2 standing in for a primary promoted elsewhere: a copy of
# node1 (same system identifier, databases appdb and repmgr), running on its own.
# pgdeploy checks it is writable through the conninfo repmgr records for it.
# set_primary moves it to a new timeline, as a promotion would.
start_other_primary() {
    free_port >"$H/pg_node2.port"
    as_user "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$(pg_port node1)" -U "$TEST_USER" \
        -D "$H/pg_node2" -X stream -c fast >/dev/null
    pg_start node2
}

# Print the timeline server NAME writes on.
pg_timeline() {
    local wal
    wal=$(pg_psql "$1" postgres "SELECT pg_walfile_name(pg_current_wal_lsn())")
    echo $((16#${wal:0:8}))
}

# Restart server NAME on a timeline newer than any of node1's and node2's, as a
# promotion would leave it: pg_resetwal starts its WAL on that timeline.
pg_new_timeline() {
    local name=$1 newest=0 other tl last
    for other in node1 node2; do
        [ -f "$H/pg_$other/PG_VERSION" ] || continue
        tl=$(pg_timeline "$other")
        [ "$tl" -le "$newest" ] || newest=$tl
    done
    local current wal=$H/pg_$name/pg_wal seg history
    current=$(pg_timeline "$name")
    pg_stop "$name"
    last=$(find "$wal" -maxdepth 1 -name '????????????????????????' -printf '%f\n' | sort | tail -n1)
    seg=$((16#${last:16:8} + 1))
    as_user "$PG_BINDIR/pg_resetwal" -D "$H/pg_$name" \
        -l "$(printf '%08X%s%08X' $((newest + 1)) "${last:8:8}" "$seg")" >/dev/null
    # The history file a promotion writes: a clone (pg_basebackup) asks for it. Its ancestry,
    # then where the new timeline branched off (16 MB segments).
    history=$(printf '%s/%08X.history' "$wal" $((newest + 1)))
    { [ ! -f "$(printf '%s/%08X.history' "$wal" "$current")" ] ||
        cat "$(printf '%s/%08X.history' "$wal" "$current")"
      printf '%d\t%X/%08X\tno recovery target specified\n' "$current" $((16#${last:8:8})) $((seg << 24))
    } | write_as_user "$history"
    pg_start "$name"
}

# Two PgBouncer app servers in app_servers, app1 (id 101) and app2 (id 102):
# CONSOLE reloads through its admin console (verified, synchronous), SIGNAL by
# a reload_command over SSH that sends SIGHUP.
start_app_servers() {
    local console=$1 signal=$2
    pgbouncer_start app1
    pgbouncer_start app2
    app_server_add app1 101
    app_server_add app2 102
    app_server_set "$console" admin_conninfo \
        "$(sql_lit "host=127.0.0.1 port=$(bouncer_port "$console") user=$TEST_USER")"
    app_server_set "$signal" reload_command "$(sql_lit "$(bouncer_reload_command "$signal")")"
}

# Run the copied pgdeploy as $TEST_USER against node1's repmgr database with the
# test key and known_hosts; extra arguments follow. Output (stdout and stderr)
# lands in $H/out, the exit status in $RC. Never fails itself.
# RC: its exit status, read by the suites that source this file.
# shellcheck disable=SC2034
run_pgdeploy() {
    RC=0
    as_user "$PGDEPLOY" -c main -p "host=127.0.0.1 port=$(pg_port node1) dbname=repmgr" \
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" "$@" >"$H/out" 2>&1 || RC=$?
    sed 's/^/#   | /' "$H/out"
}

# True when a client connecting to database appdb through PgBouncer APP lands
# on PostgreSQL server PG. Reloads by signal are asynchronous: callers poll.
routes_to() {
    [ "$(bouncer_psql "$1" appdb "SELECT current_setting('port')" 2>/dev/null)" = "$(pg_port "$2")" ]
}

# True when DIR holds nothing but FILES (the fragment, no temporary leftovers).
dir_holds_only() {
    local dir=$1
    shift
    local expected=
    [ $# -eq 0 ] || expected=$(printf '%s\n' "$@" | sort)
    [ "$(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)" = "$expected" ]
}

# Make server PG the only active primary in node1's repmgr.nodes, as repmgr
# records a promotion: the old primary keeps type 'primary' but is inactive.
set_primary() {
    pg_new_timeline "$1"
    metadata_primary "$1" "$2"
}

# Point repmgr.nodes at node ID on server PG as the only active primary,
# without a new timeline (unlike set_primary).
metadata_primary() {
    pg_psql node1 repmgr "UPDATE repmgr.nodes SET active = false WHERE type = 'primary'" \
        "INSERT INTO repmgr.nodes (node_id, node_name, type, active, conninfo, repluser,
                                   location, priority, config_file)
         VALUES ($2, $(sql_lit "$1"), 'primary', true,
                 $(sql_lit "host=127.0.0.1 port=$(pg_port "$1") user=$TEST_USER dbname=repmgr connect_timeout=2"),
                 $(sql_lit "$TEST_USER"), 'default', 100, '/dev/null')
         ON CONFLICT (node_id) DO UPDATE SET active = true, type = 'primary'" >/dev/null
}

# Set COLUMN of app server NAME to the SQL expression VALUE.
app_server_set() {
    pg_psql node1 repmgr "UPDATE repmgr.app_servers SET $2 = $3 WHERE node_name = $(sql_lit "$1")" >/dev/null
}

# Make repmgr on server NAME run pgdeploy as its event_notification_command
# (output in $H/hook_NAME.log), reach the other nodes over the test sshd for
# switchover and rejoin, and start and stop PostgreSQL with its own log file.
# The port is given on the command line: pg_rewind (rejoin) copies the source
# node's postgresql.conf, port included. EXTRA (optional): more options for the
# hook's pgdeploy, e.g. "--etcd URL" (words without spaces or quotes).
repmgr_enable_hook() {
    local name=$1 extra=${2:+$2 } data=$H/pg_$1
    # A lock directory (and deploy record) of its own, as on separate machines.
    as_user mkdir -p -m 0700 "$H/run_$name"
    as_user tee -a "$H/repmgr_$name.conf" >/dev/null <<EOF
event_notification_command='$PGDEPLOY -c main -f $H/repmgr_$name.conf --lock-dir=$H/run_$name --ssh-key $SSH_KEY --known-hosts $KNOWN_HOSTS -v ${extra}--event=%e --node-id=%n --success=%s >>$H/hook_$name.log 2>&1'
repmgr_bindir='$PG_BINDIR'
ssh_options='-F /dev/null -i $SSH_KEY -o UserKnownHostsFile=$KNOWN_HOSTS -o StrictHostKeyChecking=yes -o BatchMode=yes -p $SSH_PORT'
service_start_command='$PG_BINDIR/pg_ctl -w -D $data -l $data.log -o "-p $(pg_port "$name")" start'
service_stop_command='$PG_BINDIR/pg_ctl -w -D $data -m fast stop'
service_restart_command='$PG_BINDIR/pg_ctl -w -D $data -l $data.log -o "-p $(pg_port "$name")" -m fast restart'
EOF
    as_user touch "$H/hook_$name.log"
}

# ---------------------------------------------------------------- benchmark (bench/run)

# Print the first field of the test sshd's MaxStartups: how many unauthenticated
# connections it holds before it starts dropping new ones.
sshd_max_startups() {
    awk '$1 == "MaxStartups" { split($2, f, ":"); print f[1] }' "$H/ssh/sshd_config"
}

# Make the test sshd hold at least N unauthenticated connections at once:
# raise MaxStartups when it is lower and have sshd re-read its configuration
# (on SIGHUP sshd re-executes itself with the same pid and listens again).
sshd_ensure_max_startups() {
    local n=$1 current
    current=$(sshd_max_startups)
    [ "${current:-10}" -ge "$n" ] && return 0
    as_user sed -i "s/^MaxStartups .*/MaxStartups $n:30:$((2 * n))/" "$H/ssh/sshd_config"
    grep -q '^MaxStartups ' "$H/ssh/sshd_config" ||
        echo "MaxStartups $n:30:$((2 * n))" | as_user tee -a "$H/ssh/sshd_config" >/dev/null
    kill -HUP "$(head -n1 "$H/ssh/sshd.pid")"
    sleep 0.2
    wait_until 10 port_open 127.0.0.1 "$SSH_PORT" || { echo "harness: sshd did not come back" >&2; return 1; }
}

# ---------------------------------------------------------------- repmgrd

# Let repmgrd on server NAME fail over on its own, quickly: a check every second, two reconnect
# attempts a second apart; promote and follow through repmgr itself, which runs the hook as soon
# as the promotion is done (pg_ctl -w waits for it; with pg_promote() repmgr would check once a
# second, promote_check_interval, and run the hook only then). Call after
# repmgr_enable_hook (which gives each node's hook a lock directory of its own).
repmgrd_configure() {
    local name=$1 conf=$H/repmgr_$1.conf
    grep -q "^event_notification_command='$PGDEPLOY .*--lock-dir=$H/run_$name " "$conf" ||
        { echo "harness: no pgdeploy hook in $conf (call repmgr_enable_hook first)" >&2; return 1; }
    as_user tee -a "$conf" >/dev/null <<EOF
failover=automatic
promote_command='$PG_BINDIR/repmgr standby promote -f $conf --log-to-file'
service_promote_command='$PG_BINDIR/pg_ctl -w -D $H/pg_$name promote'
follow_command='$PG_BINDIR/repmgr standby follow -f $conf --log-to-file --upstream-node-id=%n'
monitor_interval_secs=1
reconnect_attempts=2
reconnect_interval=1
EOF
}

# After a switchover to PRIMARY: it pauses repmgrd on every node and unpauses it at the end. A
# sibling that was restarting to follow can miss the unpause, or its repmgrd can give up on the
# upstream that was just demoted. Restart it (as systemd would) and unpause (as an operator
# would) where needed, for each of NODES.
repmgrd_resume_after_switchover() {
    local primary=$1 node
    shift
    for node in "$@"; do
        wait_until 20 repmgrd_active "$node" && continue
        echo "# repmgrd on $node is not active after the switchover: restarting and unpausing it"
        pg_psql "$node" repmgr 'SELECT repmgr.repmgrd_is_running()' 2>/dev/null | grep -q t ||
            { repmgrd_stop "$node"; repmgrd_start "$node"; }
        repmgr_as "$primary" service unpause || true
    done
}

# True when server NAME takes writes (is not in recovery).
pg_is_primary() {
    [ "$(pg_psql "$1" postgres 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]
}

# True when server NAME streams WAL from server UPSTREAM.
pg_streams_from() {
    [ "$(pg_psql "$1" postgres "SELECT sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'" \
        2>/dev/null)" = "$(pg_port "$2")" ]
}

# True when server NAME's copy of repmgr.nodes names node ID as the only active primary
# (repmgr standby promote records it a moment after the server takes writes).
repmgr_primary_is() {
    [ "$(pg_psql "$1" repmgr "SELECT string_agg(node_id::text, ',') FROM repmgr.nodes
                              WHERE type = 'primary' AND active" 2>/dev/null)" = "$2" ]
}

# True when repmgrd runs for server NAME and is not paused (as a switchover leaves it).
repmgrd_active() {
    [ "$(pg_psql "$1" repmgr 'SELECT repmgr.repmgrd_is_running() AND NOT repmgr.repmgrd_is_paused()' \
        2>/dev/null)" = t ]
}

# Kill server NAME as a crash would (pg_ctl -m immediate) right after a committed write, and
# print the time of the kill (EPOCH_MS). The write comes last on purpose: after a read that set
# hint bits (a WAL record with wal_log_hints) a standby can refuse to follow the new primary.
pg_kill_after_write() {
    local killed
    pg_psql "$1" appdb "INSERT INTO writes (via) VALUES ('before the kill')" >/dev/null
    killed=$(now_ms)
    as_user "$PG_BINDIR/pg_ctl" -w -m immediate -D "$H/pg_$1" stop >/dev/null
    echo "$killed"
}

repmgrd_start() {
    local name=$1
    as_user "$PG_BINDIR/repmgrd" -f "$H/repmgr_$name.conf" --pid-file="$H/repmgrd_$name.pid" \
        >>"$H/repmgr_$name.log" 2>&1 || { echo "harness: repmgrd $name did not start" >&2; return 1; }
    wait_until 10 test -s "$H/repmgrd_$name.pid" ||
        { echo "harness: repmgrd $name wrote no pidfile" >&2; return 1; }
}

repmgrd_stop() {
    harness_kill_pidfile "$H/repmgrd_$1.pid"
    rm -f "$H/repmgrd_$1.pid"
}

# ---------------------------------------------------------------- client writes

# A client writing to database appdb through PORT (a PgBouncer or a server) in the background,
# with a fresh connection for every INSERT into table writes (start_three_nodes makes it; the
# server records the time). Each attempt is bounded on the client side: PgBouncer may hold a query for
# query_wait_timeout (120 s), and PGCONNECT_TIMEOUT does not bound that. Every committed write
# appends "EPOCH_MS SERVER_PORT" to $H/writes_NAME.log (the time psql returned).
writer_start() {
    local name=$1 port=$2
    rm -f "$H/writes_$name.stop"
    as_user touch "$H/writes_$name.log"
    # shellcheck disable=SC2016 # expanded by the writer's own shell
    as_user env PGCONNECT_TIMEOUT=2 bash -c '
        log=$1 port=$2 name=$3 user=$4 psql=$5
        while [ ! -e "${log%.log}.stop" ]; do
            if out=$(timeout 5 "$psql" -X -q -At -h 127.0.0.1 -p "$port" -U "$user" -d appdb -c \
                "INSERT INTO writes (via) VALUES ('\''$name'\'') RETURNING current_setting('\''port'\'')" \
                2>/dev/null); then
                echo "$((${EPOCHREALTIME/[.,]/} / 1000)) $out" >>"$log"
            else
                sleep 0.02
            fi
        done' writer "$H/writes_$name.log" "$port" "$name" "$TEST_USER" "$PG_BINDIR/psql" &
    echo $! >"$H/writes_$name.pid"
}

writer_stop() {
    as_user touch "$H/writes_$1.stop"
    wait "$(cat "$H/writes_$1.pid")" 2>/dev/null || true
}

# Print the time of the first write by writer NAME that landed on server PG at or after
# EPOCH_MS SINCE; nothing (and non-zero status) when there is none.
first_write_on() {
    awk -v since="$3" -v port="$(pg_port "$2")" '$1 >= since && $2 == port { print $1; found = 1; exit }
                                                END { exit !found }' "$H/writes_$1.log"
}

# True when stdin holds a JSON value for which jq's FILTER is true (neither false nor null);
# jq options (--arg ...) may follow. Unlike plain `jq -e`, false on empty input: jq 1.6 exits 0
# with -e when there is no input at all, so a missing etcd key would pass.
json_says() {
    local filter=$1
    shift
    jq -e -n "$@" "input | ($filter)" >/dev/null
}

now_ms() {
    echo $((${EPOCHREALTIME/[.,]/} / 1000))
}
