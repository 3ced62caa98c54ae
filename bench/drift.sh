#!/usr/bin/env bash
# hyperfine --prepare for the runs that must have real work on every host:
# appends a comment line to host1..hostN's fragment, so it no longer matches
# what the next run writes. The epoch line, if any, stays: a drifted file is
# not one from a newer timeline, so pgdeploy replaces it.
#
# Usage: drift.sh FLEET_DIR N
set -eu
dir=$1 n=$2 stamp=$EPOCHREALTIME
for ((k = 1; k <= n; k++)); do
    echo "; drifted $stamp" >>"$dir/host$k/main.ini"
done
