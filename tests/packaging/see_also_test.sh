#!/usr/bin/env bash
# Every page the man page's SEE ALSO names must be installed on this machine (Debian 12 with
# packaging/install-deps): a reader who follows a reference must find the page.
#   bash tests/packaging/see_also_test.sh SOURCE_DIR
set -euo pipefail
page=$1/packaging/pgdeploy.1.in
command -v man >/dev/null || { echo "skipped: man is missing (package man-db)"; exit 0; }
failures=0
refs=$(sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$page" | sed -n 's/^\.BR \([^ ]*\) (\([0-9a-z]*\)).*/\2 \1/p' | sed 's/\\-/-/g')
[ -n "$refs" ] || { echo "not ok - SEE ALSO names no page"; exit 1; }
while read -r section name; do
    if man -w "$section" "$name" >/dev/null 2>&1; then
        echo "ok - $name($section)"
    else
        echo "not ok - $name($section): no such page is installed"
        failures=$((failures + 1))
    fi
done <<<"$refs"
[ "$failures" = 0 ]
