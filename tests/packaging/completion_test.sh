#!/usr/bin/env bash
# Completes pgdeploy command lines with packaging/pgdeploy.bash-completion, as bash does when
# the user presses Tab, and checks what it offers.
#   bash tests/lint/completion_test.sh SOURCE_DIR FRONT_END
set -euo pipefail
source_dir=$1 front_end=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# shellcheck source=../../packaging/pgdeploy.bash-completion
. "$source_dir/packaging/pgdeploy.bash-completion"

# Completes the words given (the last one being completed) and prints the offers, sorted.
offers() {
    COMP_WORDS=("$front_end" "$@")
    COMP_CWORD=$#
    _pgdeploy
    printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
}
expect() {
    local what=$1 want=$2 got
    shift 2
    got=$(offers "$@")
    if [ "$got" = "$want" ]; then
        echo "ok - $what"
    else
        echo "not ok - $what"
        echo "#   expected: '$want'"
        echo "#   actual:   '$got'"
        failures=$((failures + 1))
    fi
}

printf '[pgdeploy]\ncluster = main\n\n[cluster reports]\njobs = 4\n[cluster  ha-2 ]\n' >"$tmp/pgdeploy.ini"
expect "subcommands" "agent doctor status" ""
expect "subcommands by prefix" "status" st
expect "no second subcommand" "" status ""
expect "long options from --help" "--sessions --ssh-key --success --sync-pgpass --sync-userlist --syslog" --s
expect "the new options too" "--metrics-file" --met
expect "options after a subcommand" "--json" status --js
expect "a subcommand's own options" "--watch" status --wat
expect "not without the subcommand" "" --wat
expect "the agent's own options" "--once" agent --on
expect "--sessions values" "keep kill" --sessions k
expect "cluster names from --config" "ha-2 main reports" --config "$tmp/pgdeploy.ini" -c ""
expect "cluster names by prefix" "reports" --config="$tmp/pgdeploy.ini" --cluster r
expect "no cluster names without a configuration file" "" --config "$tmp/none.ini" -c ""
touch "$tmp/key_a" "$tmp/key_b"
expect "files after --ssh-key" "$tmp/key_a $tmp/key_b" --ssh-key "$tmp/key_"
expect "nothing offered for a value of the user's own" "" -t ""

if [ "$failures" -gt 0 ]; then
    echo "completion: $failures failed"
    exit 1
fi
echo "completion: all passed"
