#!/bin/sh
# Runs shellcheck (.shellcheckrc) on every shell script of the tree: *.sh and *.bash-completion
# files and the scripts without an extension that start with a sh or bash shebang.
#   sh tests/lint/shellcheck.sh SOURCE_DIR
set -eu
cd "$1"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sort | while read -r file; do
    case ${file##*/} in
        *.sh | *.bash-completion) echo "$file" ;;
        *.*) ;;
        *) head -n1 "$file" | grep -Eq '^#!.*[/ ](ba)?sh( |$)' && echo "$file" ;;
    esac
done >"$list"
# shellcheck disable=SC2046  # one word per file: the tree's names have no spaces
shellcheck $(cat "$list")
echo "shellcheck: $(wc -l <"$list") scripts clean"
