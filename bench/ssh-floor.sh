#!/usr/bin/env bash
# The floor of any SSH push: N bare `ssh host true` (OpenSSH) started at
# once and waited for. Every connection does the key exchange, the public
# key authentication and one exec channel, nothing else.
#
# Usage: ssh-floor.sh CONF N [SSH_OPTION ...]
#   CONF        the file bench/run writes (address, port, user, key, known_hosts)
#   SSH_OPTION  passed on to ssh, e.g. -o KexAlgorithms=curve25519-sha256
set -eu
# shellcheck source=/dev/null # the CONF file bench/run writes
. "$1"
n=$2
shift 2
pids=()
for ((i = 0; i < n; i++)); do
    ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -i "$SSH_KEY" \
        -o UserKnownHostsFile="$KNOWN_HOSTS" -o StrictHostKeyChecking=yes "$@" \
        -p "$SSH_PORT" "$SSH_USER@$SSH_ADDR" true &
    pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do
    wait "$pid" || rc=1
done
exit $rc
