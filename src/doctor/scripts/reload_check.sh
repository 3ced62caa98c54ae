#!/bin/sh
# Whether the reload command $reload_command (one without sudo) would run, without running it:
# its syntax, and its program $program on the PATH; exit 1 when not. pgdeploy assigns both
# before it (doctor/doctor_host.cpp).
: "${reload_command?}" "${program?}"
sh -n -c "$reload_command" || exit 1
command -v "$program" >/dev/null || { echo "$program: command not found" >&2; exit 1; }
