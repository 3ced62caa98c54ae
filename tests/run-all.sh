#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds pgdeploy and runs every test: the unit
# tests and the integration suites against real PostgreSQL + repmgr, sshd and
# PgBouncer started on loopback. Run from anywhere; as root or with sudo.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}

"$root/packaging/install-deps"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGDEPLOY_WERROR=ON
started=$SECONDS
cmake --build "$build" -j"$(nproc)"
echo "build: $((SECONDS - started)) s"
cd "$build"
ctest --output-on-failure -j2
