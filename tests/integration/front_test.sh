#!/usr/bin/env bash
# The front end, pgdeploy, against its core program, libexec/pgdeploy/pgdeploy, which is the
# whole program as it was before the two were split (see src/cli/core_program.hpp):
# - every command line gives the same stdout, stderr and exit code from both, whether the
#   front end ends the run itself (help, usage errors, irrelevant or failed events) or hands
#   it over (here: runs that stop at the database, which is not there);
# - the front end loads neither libpq nor libssh;
# - it finds the core program through a symbolic link and through PATH, and without /proc;
# - on every run but --help it checks its core program: missing (a front end copied alone),
#   not executable, or of another build (another build-token), every run fails with exit 2
#   saying what is wrong, irrelevant events and --version included; and the core program
#   refuses a front end of another build.
# Needs no server and no particular user.
#   PGDEPLOY_BIN=build/pgdeploy bash tests/integration/front_test.sh
set -euo pipefail
# shellcheck source=harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

: "${PGDEPLOY_BIN:?PGDEPLOY_BIN must name the built pgdeploy binary}"
front=$(realpath "$PGDEPLOY_BIN")
core=$(dirname "$front")/libexec/pgdeploy/pgdeploy
token=$(cat "$(dirname "$core")/build-token")
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
    if ! { [ "$(cat "$T/one.rc")" = 2 ] && [ ! -s "$T/one.out" ] && [ "$(cat "$T/one.err")" = "$expected" ]; }; then
        echo "exit $(cat "$T/one.rc"), stdout:"; cat "$T/one.out"; echo "stderr:"; cat "$T/one.err"
        return 1
    fi
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
    if [ "$rc" != 2 ] || ! grep -q -- '--success must be 1 or 0' <<<"$err"; then
        echo "exit $rc: $err"
        return 1
    fi
}
mkdir -p "$T/link"
ln -s "$front" "$T/link/pgdeploy"
check "through a symbolic link, pgdeploy runs the core program of its target" \
    hands_over "$T/link/pgdeploy"
check "found through PATH, pgdeploy runs its core program" \
    hands_over env PATH="$T/link:$PATH" pgdeploy

check_eq "pgdeploy --version names both programs and their build" \
    "pgdeploy $token
core program $core $token" "$("$front" --version)"
check_eq "the core program's own --version" "pgdeploy $token" "$("$core" --version)"

# A copy of an installation: bin/pgdeploy, libexec/pgdeploy/{pgdeploy,build-token}.
copy_installation() {
    mkdir -p "$1/bin" "$1/libexec/pgdeploy"
    cp "$front" "$1/bin/pgdeploy"
    cp "$core" "$(dirname "$core")/build-token" "$1/libexec/pgdeploy/"
}

# A stand-in core program shows what the front end hands over: the arguments as given, in a
# process still named pgdeploy (pgrep -x pgdeploy, pkill, ps -C pgdeploy), told the build.
copy_installation "$T/stand-in"
# shellcheck disable=SC2016 # expanded by the stand-in
printf '#!/bin/sh\necho "$(cat /proc/$$/comm):" "$@" "($PGDEPLOY_BUILD_TOKEN)"\n' \
    >"$T/stand-in/libexec/pgdeploy/pgdeploy"
check_eq "the core program gets the same arguments and the build, in a process still named pgdeploy" \
    "pgdeploy: -c main --check --details=a  b ($token)" \
    "$("$T/stand-in/bin/pgdeploy" -c main --check "--details=a  b")"

irrelevant=(-c main --event=standby_register --node-id=1 --success=1)
# expect_refusal NAME PROGRAM MESSAGE: an irrelevant event, --version and a run with work all
# exit 2 with MESSAGE alone on stderr (after the version line for --version).
expect_refusal() {
    local name=$1 program=$2 message=$3 args
    for args in "${irrelevant[*]}" "--version" "-c main --check"; do
        # shellcheck disable=SC2086 # words without quoting
        run_into "$name" "$program" $args
        local rc err
        rc=$(cat "$T/$name.rc") err=$(cat "$T/$name.err")
        if ! { [ "$rc" = 2 ] && [ "$err" = "pgdeploy: error: $message" ]; }; then
            echo "pgdeploy $args: exit $rc, stderr: $err"
            return 1
        fi
    done
}

mkdir -p "$T/alone/bin"
cp "$front" "$T/alone/bin/pgdeploy"
check "a front end copied without its core program refuses every run, saying so" \
    expect_refusal alone "$T/alone/bin/pgdeploy" \
    "the core program $T/alone/libexec/pgdeploy/pgdeploy is missing (nor is it $T/alone/bin/libexec/pgdeploy/pgdeploy): $T/alone/bin/pgdeploy was copied or installed without it; install the package again, or copy pgdeploy and its libexec/pgdeploy directory (the core and agent programs, build-token) from one build"

copy_installation "$T/other"
echo "0.0.1+000000000000" >"$T/other/libexec/pgdeploy/build-token"
check "a core program of another build (build-token) is refused on every run" \
    expect_refusal other "$T/other/bin/pgdeploy" \
    "the core program $T/other/libexec/pgdeploy/pgdeploy is from another build (0.0.1+000000000000) than this pgdeploy ($token); install the package again, or copy pgdeploy and its libexec/pgdeploy directory (the core and agent programs, build-token) from one build"
rm "$T/other/libexec/pgdeploy/build-token"
check "so is one without its build-token file" \
    expect_refusal other "$T/other/bin/pgdeploy" \
    "the core program $T/other/libexec/pgdeploy/pgdeploy has no build token: $T/other/libexec/pgdeploy/build-token cannot be read; install the package again, or copy pgdeploy and its libexec/pgdeploy directory (the core and agent programs, build-token) from one build"
copy_installation "$T/mode"
chmod 0644 "$T/mode/libexec/pgdeploy/pgdeploy"
check "and one that is not executable" \
    expect_refusal mode "$T/mode/bin/pgdeploy" \
    "the core program $T/mode/libexec/pgdeploy/pgdeploy cannot be run: Permission denied; make it executable (chmod 0755), or install the package again, or copy pgdeploy and its libexec/pgdeploy directory (the core and agent programs, build-token) from one build"

# The core program of another build, swapped in with a matching build-token file: the core
# program itself refuses the front end's token.
core_refuses() {
    run_into swapped env PGDEPLOY_BUILD_TOKEN=0.0.1+000000000000 "$core" "$@"
    if ! { [ "$(cat "$T/swapped.rc")" = 2 ] && [ "$(cat "$T/swapped.err")" = "pgdeploy: error: this core program is from another build ($token) than the pgdeploy that ran it (0.0.1+000000000000); install the package again, or copy pgdeploy and its libexec/pgdeploy directory (the core and agent programs, build-token) from one build" ]; }; then
        echo "exit $(cat "$T/swapped.rc")"; cat "$T/swapped.err"
        return 1
    fi
}
check "the core program refuses a front end of another build" core_refuses -c main --check

# doctor's items for the programs: they pass for the build tree; the pair's fails for a core
# program whose build-token file is another build's (run directly: the front end would refuse
# it first), the agent program's for an installation without it.
# The line of doctor's item ITEM ($1) when PROGRAM ($2) runs doctor.
doctor_item() {
    run_into doctor "$2" doctor -c main "${unreachable[@]}"
    grep -F "pgdeploy: $1" "$T/doctor.out" || cat "$T/doctor.err"
}
pair_item="front end and core program from one build"
agent_item="agent program of the same build"
check_eq "doctor: the programs of one build pass" \
    "[PASS] pgdeploy: front end and core program from one build: $core $token, run by pgdeploy of the same build" \
    "$(doctor_item "$pair_item" "$front")"
check_eq "doctor: the agent program of the same build passes" \
    "[PASS] pgdeploy: agent program of the same build: $(dirname "$core")/pgdeploy-agent" \
    "$(doctor_item "$agent_item" "$front")"
copy_installation "$T/doctor"
check_eq "doctor: an installation without its agent program fails, naming it" \
    "[FAIL] pgdeploy: agent program of the same build: the agent program $T/doctor/libexec/pgdeploy/pgdeploy-agent, which runs \`pgdeploy agent\`, is missing beside the core program $T/doctor/libexec/pgdeploy/pgdeploy; install the package again, or copy pgdeploy and its libexec/pgdeploy directory (the core and agent programs, build-token) from one build" \
    "$(doctor_item "$agent_item" "$T/doctor/bin/pgdeploy")"
echo "0.0.1+000000000000" >"$T/doctor/libexec/pgdeploy/build-token"
check_eq "doctor: a core program beside another build's build-token fails" \
    "[FAIL] pgdeploy: front end and core program from one build: the core program $T/doctor/libexec/pgdeploy/pgdeploy is from another build (0.0.1+000000000000) than this pgdeploy ($token); install the package again, or copy pgdeploy and its libexec/pgdeploy directory (the core and agent programs, build-token) from one build" \
    "$(doctor_item "$pair_item" "$T/doctor/libexec/pgdeploy/pgdeploy")"

# Without /proc (a private mount namespace hides it), pgdeploy finds itself from argv[0]: a
# path, or a name looked up in PATH; when neither names it, it says so.
if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
    no_proc() {
        unshare --mount --propagation private sh -c 'mount -t tmpfs none /proc && exec "$@"' sh "$@"
    }
    check "without /proc, pgdeploy by its path runs the core program" hands_over no_proc "$front"
    check "without /proc, pgdeploy found through PATH runs the core program" \
        hands_over no_proc env PATH="$T/link:$PATH" pgdeploy
    # shellcheck disable=SC2016 # expanded by the inner bash
    run_into noproc no_proc bash -c 'exec -a nowhere-pgdeploy "$0" "$@"' "$front" "${irrelevant[@]}"
    check_eq "without /proc and an argv[0] that names nothing, exit 2" 2 "$(cat "$T/noproc.rc")"
    check_eq "... saying what is wrong and what to do" \
        "pgdeploy: error: cannot tell where this pgdeploy is, to find its core program: /proc/self/exe cannot be read (No such file or directory) and \"nowhere-pgdeploy\" is no program in PATH; mount /proc, or run pgdeploy by its full path" \
        "$(cat "$T/noproc.err")"
else
    echo "# skipped: pgdeploy without /proc needs root and unshare (a private mount namespace)"
fi

harness_summary
