#!/bin/sh
# Checks the layering that src/CMakeLists.txt states: a file in src/FOLDER includes headers of
# its own folder and of the folders FOLDER's USES names, nothing else; and the headers of
# libpq, libssh, OpenSSL, CLI11 and inih only in the folder that wraps each.
# Usage: check-layers.sh LAYERS SRC, LAYERS holding one "folder: used used..." line per folder.
set -eu
layers=$1
src=$2

# The folders FOLDER may include, space-separated, with itself first.
uses_of() {
  printf '%s ' "$1"
  sed -n "s/^$1: *//p" "$layers"
}

# The folder that owns the library header HEADER, if any.
owner_of_library() {
  case $1 in
    libpq-fe.h | libpq/*) echo postgres ;;
    libssh/* | openssl/*) echo ssh ;;
    CLI/*) echo cli ;;
    ini.h) echo cli ;;
    *) echo "" ;;
  esac
}

status=0
for dir in "$src"/*/; do
  folder=$(basename "$dir")
  if ! grep -q "^$folder:" "$layers"; then
    echo "src/$folder is no module: declare it with pgdeploy_module() in src/CMakeLists.txt" >&2
    status=1
    continue
  fi
  allowed=" $(uses_of "$folder") "
  for file in "$dir"*.cpp "$dir"*.hpp; do
    [ -e "$file" ] || continue
    # Project headers: #include "folder/name.hpp".
    while read -r used; do
      [ -z "$used" ] || [ "$used" = pgdeploy ] && continue  # pgdeploy/: the generated header
      case $allowed in
        *" $used "*) ;;
        *)
          echo "src/$folder/$(basename "$file"): includes $used/, which $folder does not use" \
            "(it uses:$allowed)" >&2
          status=1
          ;;
      esac
    done <<END
$(sed -n 's|^#include "\([a-z_]*\)/.*|\1|p' "$file" | sort -u)
END
    while read -r header; do
      owner=$(owner_of_library "$header")
      if [ -n "$owner" ] && [ "$owner" != "$folder" ]; then
        echo "src/$folder/$(basename "$file"): includes <$header>, which only $owner/ wraps" >&2
        status=1
      fi
    done <<END
$(sed -n 's|^#include <\(.*\)>.*|\1|p' "$file" | sort -u)
END
  done
done
exit $status
