#!/bin/sh
# Prints the file $f; exit 1 when it does not exist or the SSH user cannot read it. pgdeploy
# assigns f before it (ssh/remote_host.cpp).
: "${f?}"
[ -e "$f" ] || { echo "$f does not exist" >&2; exit 1; }
[ -r "$f" ] || { echo "$f is not readable by $(id -un)" >&2; exit 1; }
exec cat -- "$f"
