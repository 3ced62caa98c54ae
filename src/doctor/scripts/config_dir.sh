#!/bin/sh
# Whether the SSH user may create a file in the directory $d: exit 1 when it is no directory,
# 2 when it is one but the user cannot write there. pgdeploy assigns d before it
# (doctor/doctor_host.cpp).
: "${d?}"
[ -d "$d" ] || { echo "$d does not exist or is not a directory" >&2; exit 1; }
t=$(mktemp "$d/.pgdeploy-doctor.XXXXXX" 2>/dev/null) || { echo "$(id -un) cannot create a file in $d" >&2; exit 2; }
rm -f -- "$t"
