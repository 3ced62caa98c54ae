#!/bin/sh
# Runs clang-tidy (.clang-tidy) over every source file of src/ with the compile commands of
# BUILD_DIR, and fails on any finding.
#   sh tests/lint/clang-tidy.sh SOURCE_DIR BUILD_DIR
set -eu
source_dir=$1
build_dir=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# g++'s warning options that clang does not know are no finding.
run-clang-tidy -quiet -j "$(nproc)" -p "$build_dir" -extra-arg=-Wno-unknown-warning-option \
    "$source_dir/src/" >"$log" 2>&1 || true
if grep -E '(warning|error):' "$log"; then
    echo "clang-tidy: findings above" >&2
    exit 1
fi
checked=$(grep -c '^clang-tidy' "$log" || true)
if [ "$checked" = 0 ]; then
    cat "$log" >&2
    echo "clang-tidy checked no file: is $build_dir/compile_commands.json there?" >&2
    exit 1
fi
echo "clang-tidy: $checked files clean"
