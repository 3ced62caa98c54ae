#!/bin/sh
# Prints "present" and then the file $f, or "absent" when there is none; exit 10 when it exists
# but is not a regular file or cannot be read. With mtime=1, a line with the file's modification
# time (UTC, ISO 8601; GNU date) comes between. pgdeploy assigns f and mtime before it
# (ssh/remote_install.cpp).
: "${f?}" "${mtime?}"
if [ -f "$f" ]; then
  [ -r "$f" ] || { echo "cannot read $f" >&2; exit 10; }
  echo present
  if [ "$mtime" = 1 ]; then
    date -u -r "$f" +%Y-%m-%dT%H:%M:%SZ || exit 10
  fi
  exec cat -- "$f"
elif [ -e "$f" ]; then
  echo "$f is not a regular file" >&2; exit 10
fi
echo absent
