#!/bin/sh
# Fails, naming the files, when a C++ file of the tree differs from what clang-format
# (.clang-format) makes of it. Fix: clang-format -i FILE.
#   sh tests/lint/clang-format.sh SOURCE_DIR
set -eu
cd "$1"
files=$(find src tests bench -name '*.cpp' -o -name '*.hpp' | sort)
# shellcheck disable=SC2086  # one word per file: the tree's names have no spaces
clang-format --dry-run --Werror $files
echo "clang-format: $(echo "$files" | wc -l) files formatted"
