#!/usr/bin/env bash
# Builds pgdeploy for the benchmarks (Release) and prints the binary's path.
#
# Usage: bench/build.sh BUILD_DIR
#
# With optimisation (Release: -Os) GCC 12's flow-based warnings can report false positives
# inside std::string (-Wrestrict: GCC bug 105651; -Wmaybe-uninitialized) that the
# project's -Werror turns into a failed build. Only these stay warnings here
# (a plain -Wno-error would lose against the project's later -Werror); they
# remain in the build log, and the regular build keeps the code clean.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$1
no_error=
for w in restrict maybe-uninitialized array-bounds stringop-overflow stringop-overread \
    dangling-pointer use-after-free free-nonheap-object; do
    no_error+=" -Wno-error=$w"
done
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS=${no_error# }" >/dev/null
cmake --build "$build" -j"$(nproc)" --target pgdeploy >"$build/bench-build.log" 2>&1 ||
    { tail -n 30 "$build/bench-build.log" >&2; echo "bench: the build failed" >&2; exit 1; }
echo "$build/pgdeploy"
