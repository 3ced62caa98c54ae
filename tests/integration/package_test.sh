#!/usr/bin/env bash
# Builds the Debian package with packaging/build-deb, installs it with dpkg -i, checks what it
# installed (version, man page, files, conffile, systemd units), then removes and purges it
# again, also when a check fails or the test is interrupted. Needs root for dpkg; skipped
# otherwise, and skipped when a pgdeploy package is already installed (it would be replaced).
#   bash tests/integration/package_test.sh
# Environment: PGDEPLOY_VERSION (the version CMake configured; default: read from
# CMakeLists.txt), JOBS (compile jobs for the package build; default 2).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# True while dpkg knows a pgdeploy package (installed, or removed with its conffiles left).
package_on_machine() {
    dpkg-query -W -f='${db:Status-Status}' pgdeploy 2>/dev/null | grep -qv '^not-installed$'
}
absent() { [ ! -e "$1" ]; }
fails() { ! "$@"; }

if [ "$(id -u)" != 0 ]; then
    echo "skipped: package_test installs a package with dpkg -i and needs root"
    exit 0
fi
# One package test at a time on a machine (several build trees may run ctest): they install
# and remove the same package.
exec 9>/run/lock/pgdeploy-package-test.lock
if ! flock -w 900 9; then
    echo "not ok - another package test kept its lock for 15 minutes"
    echo "0 passed, 1 failed"
    exit 1
fi
if package_on_machine; then
    echo "skipped: a pgdeploy package is already on this machine; the test would replace it"
    exit 0
fi

version=${PGDEPLOY_VERSION:-$(sed -n 's/^project(pgdeploy VERSION \([^ ]*\).*/\1/p' \
    "$root/CMakeLists.txt")}
deb_name=pgdeploy_${version}_$(dpkg --print-architecture).deb
work=$(mktemp -d "${TMPDIR:-/tmp}/pgdeploy-package-test.XXXXXXXX")
installed_by_us=0

cleanup() {
    if [ "$installed_by_us" = 1 ] && package_on_machine; then
        dpkg -P pgdeploy >/dev/null 2>&1 || echo "warning: dpkg -P pgdeploy failed" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@" >"$work/check.out" 2>&1; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name"
        sed 's/^/#   /' "$work/check.out" | tail -20
        failed=$((failed + 1))
    fi
}
skip() {
    echo "ok - $1 # skip $2"
}
summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
}

# --- build ---
build_deb() {
    (cd "$root" && JOBS=${JOBS:-2} packaging/build-deb "$work/out") >"$work/build.log" 2>&1 ||
        { tail -40 "$work/build.log"; return 1; }
    [ "$(tail -1 "$work/build.log")" = "$work/out/$deb_name" ]
}
check "packaging/build-deb makes $deb_name (lintian: no errors)" build_deb
deb=$work/out/$deb_name
if [ ! -f "$deb" ]; then
    summary
    exit 1
fi
# What lintian said, for the log (build-deb fails on errors; warnings stay visible here).
grep -E '^[EWIP]: ' "$work/build.log" | sed 's/^/# lintian: /' || true

depends_computed() {
    local depends
    depends=$(dpkg-deb -f "$deb" Depends)
    echo "Depends: $depends"
    grep -q 'libpq5' <<<"$depends" && grep -q 'libssh-4' <<<"$depends" &&
        grep -q 'libcurl3-gnutls' <<<"$depends" && grep -q 'libc6' <<<"$depends"
}
check "Depends is computed from the binary's libraries" depends_computed
conffiles_listed() { grep -qx /etc/pgdeploy.ini <<<"$(dpkg-deb --info "$deb" conffiles)"; }
check "/etc/pgdeploy.ini is a conffile" conffiles_listed

# --- install ---
install_package() {
    installed_by_us=1
    DEBIAN_FRONTEND=noninteractive dpkg -i "$deb"
}
check "dpkg -i installs the package" install_package
check_eq() {
    local expected=$1
    shift
    local actual
    actual=$("$@") || return 1
    [ "$actual" = "$expected" ] || { echo "expected '$expected', got '$actual'"; return 1; }
}
# Both programs of one build: the front end's version and build token, then its core
# program's, which the build-token file beside it holds and the core program itself prints.
versions_of_the_pair() {
    local token out
    token=$(cat /usr/libexec/pgdeploy/build-token) || return 1
    case $token in "$version+"????????????) ;; *) echo "build token '$token'"; return 1 ;; esac
    out=$(/usr/bin/pgdeploy --version) || return 1
    [ "$out" = "pgdeploy $token
core program /usr/libexec/pgdeploy/pgdeploy $token" ] || { echo "$out"; return 1; }
    out=$(/usr/libexec/pgdeploy/pgdeploy --version) || return 1
    [ "$out" = "pgdeploy $token" ] || { echo "core program: $out"; return 1; }
}
check "pgdeploy --version prints pgdeploy $version+TOKEN and its core program's, the same" \
    versions_of_the_pair
# Only the core program checks --success of an event that can move writes: this error shows
# that /usr/bin/pgdeploy found its core program /usr/libexec/pgdeploy/pgdeploy and handed it the run.
hands_over_to_core() {
    local rc=0 err
    err=$(/usr/bin/pgdeploy -c main --event=standby_promote --success=x 2>&1) || rc=$?
    if [ "$rc" != 2 ] || ! grep -q -- '--success must be 1 or 0' <<<"$err"; then
        echo "exit $rc: $err"
        return 1
    fi
}
check "pgdeploy runs its core program from /usr/libexec/pgdeploy" hands_over_to_core
# The agent program (README.md, "The agent's footprint"): the libraries it loads itself.
agent_program_lean() {
    local needed
    needed=$(objdump -p /usr/libexec/pgdeploy/pgdeploy-agent | awk '$1 == "NEEDED" { print $2 }')
    echo "# the agent program needs: $(tr '\n' ' ' <<<"$needed")"
    grep -q '^libcurl' <<<"$needed" && ! grep -qE '^(libssh\.|libstdc\+\+|libm\.)' <<<"$needed"
}
check "the agent program needs libcurl, and neither libssh, libstdc++ nor libm" agent_program_lean
check "man -w pgdeploy finds the installed page" \
    check_eq /usr/share/man/man1/pgdeploy.1.gz man -w pgdeploy
man_renders_cleanly() {
    local page=/usr/share/man/man1/pgdeploy.1.gz warnings text
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [ -z "$warnings" ] || { echo "$warnings"; return 1; }
    text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page")
    grep -q -- '--sync-userlist' <<<"$text"
}
check "the man page renders without warnings" man_renders_cleanly

expected_files=(
    /usr/bin/pgdeploy
    /usr/libexec/pgdeploy/pgdeploy
    /usr/libexec/pgdeploy/pgdeploy-agent
    /usr/libexec/pgdeploy/build-token
    /usr/share/man/man1/pgdeploy.1.gz
    /usr/share/pgdeploy/sql/app_servers.sql
    /usr/share/pgdeploy/sql/app_servers_repmgr3.sql
    /usr/share/pgdeploy/sql/node_public_info.sql
    /usr/share/pgdeploy/sql/upgrade_app_servers.sql
    /etc/pgdeploy.ini
    /usr/lib/systemd/system/pgdeploy-reconcile@.service
    /usr/lib/systemd/system/pgdeploy-reconcile@.timer
    /usr/lib/systemd/system/pgdeploy-agent@.service
    /usr/lib/tmpfiles.d/pgdeploy.conf
    /usr/share/doc/pgdeploy/README.md.gz
    /usr/share/doc/pgdeploy/changelog.gz
    /usr/share/doc/pgdeploy/copyright
    /usr/share/doc/pgdeploy/examples/sudoers.pgdeploy
    /usr/share/bash-completion/completions/pgdeploy
)
lists_expected_files() {
    dpkg -L pgdeploy >"$work/files"
    local missing=0 f
    for f in "${expected_files[@]}"; do
        if ! grep -qxF "$f" "$work/files" || [ ! -e "$f" ]; then
            echo "missing: $f"
            missing=1
        fi
    done
    return $missing
}
check "dpkg -L pgdeploy lists the expected files, all present" lists_expected_files
# Nothing but the section header is active in the shipped configuration.
check "/etc/pgdeploy.ini sets nothing by default" \
    fails grep -vE '^[[:space:]]*([;#].*)?$|^\[pgdeploy\]$' /etc/pgdeploy.ini

if ! command -v systemd-analyze >/dev/null; then
    skip "systemd-analyze verify on the units" "systemd-analyze is not installed"
else
    # A unit that is certainly valid tells whether systemd-analyze can run here at all.
    printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$work/probe.service"
    if ! probe=$(systemd-analyze verify "$work/probe.service" 2>&1); then
        skip "systemd-analyze verify on the units" \
            "systemd-analyze cannot verify units here: $(head -1 <<<"$probe")"
    else
        verify_units() {
            local out
            out=$(systemd-analyze verify /usr/lib/systemd/system/pgdeploy-reconcile@.service \
                /usr/lib/systemd/system/pgdeploy-reconcile@.timer \
                /usr/lib/systemd/system/pgdeploy-agent@.service 2>&1) || { echo "$out"; return 1; }
            [ -z "$out" ] || { echo "$out"; return 1; }
        }
        check "systemd-analyze verify accepts the units" verify_units
    fi
fi
if command -v visudo >/dev/null; then
    check "the example sudoers file parses" \
        visudo -c -f /usr/share/doc/pgdeploy/examples/sudoers.pgdeploy
else
    skip "the example sudoers file parses" "visudo (sudo) is not installed"
fi

# --- remove and purge ---
check "dpkg -r pgdeploy removes it" dpkg -r pgdeploy
check "/usr/bin/pgdeploy is gone after dpkg -r" absent /usr/bin/pgdeploy
check "/usr/libexec/pgdeploy is gone after dpkg -r" absent /usr/libexec/pgdeploy
check "/etc/pgdeploy.ini is kept after dpkg -r" test -f /etc/pgdeploy.ini
check "dpkg -P pgdeploy purges it" dpkg -P pgdeploy
check "/etc/pgdeploy.ini is gone after dpkg -P" absent /etc/pgdeploy.ini
check "dpkg no longer knows pgdeploy" fails package_on_machine

summary
