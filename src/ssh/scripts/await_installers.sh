#!/bin/sh
# Waits until no installer of "$dir/$file" runs any more (its marker file, install.sh's
# ".$file.installing.PID", is gone), trying every tenth of a second $tries times; exit 10 when
# one still does. pgdeploy assigns dir, file and tries before it (ssh/remote_install.cpp).
: "${dir?}" "${file?}" "${tries?}"
while :; do
  set -- "$dir/.$file.installing."*
  [ -e "$1" ] || exit 0
  tries=$((tries - 1))
  [ "$tries" -gt 0 ] || { echo "an installer still runs ($1)" >&2; exit 10; }
  sleep 0.1
done
