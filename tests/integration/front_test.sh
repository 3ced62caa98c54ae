#!/usr/bin/env bash
# The front end, pgdeploy, against its core program, lib/pgdeploy/pgdeploy, which is the
# whole program as it was before the two were split (see src/cli/core_program.hpp):
# - every command line gives the same stdout, stderr and exit code from both, whether the
#   front end ends the run itself (help, version, usage errors, irrelevant or failed events)
#   or hands it over (here: runs that stop at the database, which is not there);
# - the front end loads neither libpq nor libssh, and decides irrelevant events without its
#   core program;
# - it finds the core program through a symbolic link and through PATH, and without it a run
#   that needs it fails with exit 2, naming the places looked at.
# Needs no server and no particular user.
#   PGDEPLOY_BIN=build/pgdeploy bash tests/integration/front_test.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

: "${PGDEPLOY_BIN:?PGDEPLOY_BIN must name the built pgdeploy binary}"
front=$(realpath "$PGDEPLOY_BIN")
core=$(dirname "$front")/lib/pgdeploy/pgdeploy
T=$(realpath "$(mktemp -d "${TMPDIR:-/tmp}/pgdeploy-front.XXXXXXXX")")
trap 'rm -rf "$T"' EXIT
cd "$T"
export HOME=$T/home # no ~/.ssh of whoever runs the test
mkdir -p "$HOME"

# Runs PROGRAM ARGS... into $T/NAME.out, $T/NAME.err and $T/NAME.rc.
run_into() {
    local name=$1 rc=0
    shift
    "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    echo "$rc" >"$T/$name.rc"
}
same_as_core() {
    run_into front "$front" "$@"
    run_into core "$core" "$@"
    local part
    for part in rc out err; do
        diff -u --label "core $part" --label "front $part" "$T/core.$part" "$T/front.$part" ||
            return 1
    done
}

printf '[pgdeploy]\nverbose = true\n' >"$T/verbose.ini"
printf '[pgdeploy]\nno_such_key = 1\n' >"$T/unknown.ini"
# Runs that get as far as the database, which is not there: exit 3 from the core program.
ssh-keygen -q -t ed25519 -N '' -f "$T/key"
: >"$T/kh"
unreachable=(-p "host=$T/nosocket" --ssh-key "$T/key" --known-hosts "$T/kh" -t 1)
command_lines=(
    "--help"
    "--version"
    ""
    "-c main --no-such-option"
    "-c bad.name"
    "-c main -v -q"
    "-c main --timeout=0"
    "-c main --config $T/missing.ini"
    "-c main --config $T/unknown.ini"
    "-c main --event=standby_register --node-id=1 --success=1"
    "-c main --event=standby_register --node-id=1 --success=1 -v"
    "-c main --config $T/verbose.ini --event=standby_clone --success=0"
    "-c main --event=standby_promote --node-id=2 --success=0"
    "-c main --event=standby_promote --node-id=2 --success=0 --syslog -q"
    "-c main --event=standby_promote --success=x"
    "-c main --event=standby_promote --success=x --json"
    "-c main --check --json ${unreachable[*]}"
    "-c main --dry-run ${unreachable[*]}"
)
for line in "${command_lines[@]}"; do
    # shellcheck disable=SC2086 # each line is words without quoting
    check "same output and exit code as the core program: pgdeploy $line" same_as_core $line
done

# Of several errors in a command line, one is printed, by the same handler in both programs.
one_error() {
    run_into one "$1" status -c main -v -q --dry-run
    local expected="pgdeploy: error: --verbose and --quiet exclude each other"
    [ "$(cat "$T/one.rc")" = 2 ] && [ ! -s "$T/one.out" ] && [ "$(cat "$T/one.err")" = "$expected" ] ||
        { echo "exit $(cat "$T/one.rc"), stdout:"; cat "$T/one.out"; echo "stderr:"; cat "$T/one.err"; return 1; }
}
check "pgdeploy status -v -q --dry-run prints exactly one error" one_error "$front"
check "... and so does the core program" one_error "$core"

no_heavy_libraries() {
    local libs
    libs=$(ldd "$front") || return 1
    ! grep -E 'libpq|libssh|libcrypto|libgssapi|libldap' <<<"$libs"
}
check "pgdeploy loads neither libpq nor libssh (ldd)" no_heavy_libraries

# The run goes to the core program: only it checks --success of an event that moves writes.
hands_over() {
    local rc=0 err
    err=$("$@" -c main --event=standby_promote --success=x 2>&1) || rc=$?
    [ "$rc" = 2 ] && grep -q -- '--success must be 1 or 0' <<<"$err" ||
        { echo "exit $rc: $err"; return 1; }
}
mkdir -p "$T/link"
ln -s "$front" "$T/link/pgdeploy"
check "through a symbolic link, pgdeploy runs the core program of its target" \
    hands_over "$T/link/pgdeploy"
check "found through PATH, pgdeploy runs its core program" \
    hands_over env PATH="$T/link:$PATH" pgdeploy

# A stand-in core program shows what the front end hands over: the arguments as given, in a
# process still named pgdeploy (pgrep -x pgdeploy, pkill, ps -C pgdeploy).
mkdir -p "$T/stand-in/bin" "$T/stand-in/lib/pgdeploy"
cp "$front" "$T/stand-in/bin/pgdeploy"
# shellcheck disable=SC2016 # expanded by the stand-in
printf '#!/bin/sh\necho "$(cat /proc/$$/comm):" "$@"\n' >"$T/stand-in/lib/pgdeploy/pgdeploy"
chmod 0755 "$T/stand-in/lib/pgdeploy/pgdeploy"
check_eq "the core program gets the same arguments, in a process still named pgdeploy" \
    "pgdeploy: -c main --check --details=a  b" \
    "$("$T/stand-in/bin/pgdeploy" -c main --check "--details=a  b")"

mkdir -p "$T/alone/bin"
cp "$front" "$T/alone/bin/pgdeploy"
run_into alone "$T/alone/bin/pgdeploy" -c main --event=standby_register --node-id=1 --success=1
check_eq "without its core program, pgdeploy still ends an irrelevant event: exit 0" \
    0 "$(cat "$T/alone.rc")"
check_eq "... and prints nothing" "" "$(cat "$T/alone.out" "$T/alone.err")"
run_into alone "$T/alone/bin/pgdeploy" -c main --check
check_eq "without its core program, a run with work exits 2" 2 "$(cat "$T/alone.rc")"
check_eq "... naming where it looked" \
    "pgdeploy: error: cannot find the core program (looked at $T/alone/lib/pgdeploy/pgdeploy, $T/alone/bin/lib/pgdeploy/pgdeploy): pgdeploy is not completely installed" \
    "$(cat "$T/alone.err")"

harness_summary
