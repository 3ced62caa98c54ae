#!/usr/bin/env bash
# Helper of operator_test.sh, run as root in a private mount namespace (unshare -m): /run is a
# fresh tmpfs there, so /run/pgdeploy belongs to this test alone. HOLDER (root or the test user)
# deploys with the default lock place; meanwhile runs as root and as the test user, with and
# without XDG_RUNTIME_DIR, try the same cluster once (--lock-wait 0). LAYOUT "package" makes
# /run/pgdeploy as the package's tmpfiles.d does; "bare" leaves it to the first run.
# Reads H, PGDEPLOY, TEST_USER, SSH_KEY, KNOWN_HOSTS and PG_PORT from the environment; writes
# $H/lock_<name> (output) and $H/lock_<name>.rc.
set -u
holder=$1 layout=$2
mount -t tmpfs -o mode=0755 tmpfs /run || exit 99
if [ "$layout" = package ]; then
    install -d -m 0755 -o "$TEST_USER" /run/pgdeploy
fi

# deploy USER XDG_RUNTIME_DIR(or empty) LOCK_WAIT NAME
deploy() {
    local user=$1 xdg=$2 wait=$3 name=$4
    local cmd=(env -u PGDEPLOY_LOCK_DIR -u XDG_RUNTIME_DIR)
    [ -z "$xdg" ] || cmd+=("XDG_RUNTIME_DIR=$xdg")
    cmd+=("$PGDEPLOY" -c main -p "host=127.0.0.1 port=$PG_PORT dbname=repmgr user=$TEST_USER"
        --ssh-key "$SSH_KEY" --known-hosts "$KNOWN_HOSTS" -t 10 --lock-wait "$wait")
    [ "$user" = root ] || cmd=(runuser -u "$user" -- "${cmd[@]}")
    local rc=0
    (cd "$H" && "${cmd[@]}") >"$H/lock_$name" 2>&1 || rc=$?
    echo "$rc" >"$H/lock_$name.rc"
}

held() { [ -e /run/pgdeploy/main.lock ] && { ! flock -n 9; } 9</run/pgdeploy/main.lock; }

for user in root "$TEST_USER"; do
    install -d -m 0700 -o "$user" "$H/xdg_$user"
done
deploy "$holder" "" 30 holder &
for _ in $(seq 200); do
    held && break
    sleep 0.05
done
deploy root "" 0 root
deploy root "$H/xdg_root" 0 root_xdg
deploy "$TEST_USER" "" 0 user
deploy "$TEST_USER" "$H/xdg_$TEST_USER" 0 user_xdg
wait
ls -la /run/pgdeploy >"$H/lock_listing"
