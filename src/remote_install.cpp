#include "pgdeploy/remote_install.hpp"

#include <cstdio>

namespace pgdeploy {
namespace {

// Runs on the app server through the SSH user's shell, after the variables and the reload()
// function. The EXIT trap is the only place that cleans up: every way out (failure, signal,
// lost connection, no "commit" from pgdeploy) removes the temporary file and, unless the run
// reached "done", puts the previous file back and, if PgBouncer was already reloaded, reloads
// it again. Defining reload() first means a syntax error in a configured reload command stops
// the script before anything is touched.
constexpr std::string_view script_body = R"SH(umask "$mask"
new= old= state=start
rollback() {
  case $state in installed|reloaded) ;; *) return 0 ;; esac
  if [ -z "$old" ]; then
    rm -f -- "$target"
  elif ! mv -f -- "$old" "$target"; then
    echo "cannot put the previous file back; it is kept as $old" >&2
  fi
  old=
  [ "$state" = reloaded ] && (reload) </dev/null >&2
  state=rolled_back
}
cleanup() { rollback; [ -z "$new$old" ] || rm -f -- ${new:+"$new"} ${old:+"$old"}; }
trap cleanup EXIT
trap 'exit 129' HUP INT TERM PIPE
fail() { echo "$1" >&2; exit "$2"; }
# Shell builtins only from here to the rename where possible: every program started costs the
# app server a fork and an exec, and during a failover every app server does this at once.
# same A B: the files say the same, but for the ", lsn ..." of their epoch lines.
same() {
  exec 3<"$1" 4<"$2"
  while :; do
    a= b=
    IFS= read -r a <&3; ea=$?
    IFS= read -r b <&4; eb=$?
    case $a in "; Epoch: timeline "*", lsn "*) a=${a%%, lsn *} ;; esac
    case $b in "; Epoch: timeline "*", lsn "*) b=${b%%, lsn *} ;; esac
    if [ "$a" != "$b" ] || [ "$ea" != "$eb" ]; then exec 3<&- 4<&-; return 1; fi
    [ "$ea" = 0 ] || break
  done
  exec 3<&- 4<&-
}
[ -d "$dir" ] || fail "config_dir $dir is not a directory" 10
if [ "$fence" = 1 ] && [ -f "$target" ]; then
  held= holder=
  while IFS= read -r line; do
    case $line in
      "; Primary: "*) holder=${line#"; Primary: "} ;;
      "; Epoch: timeline "*) held=${line#"; Epoch: timeline "}; held=${held%%[!0-9]*}; break ;;
    esac
  done <"$target"
  if [ -n "$held" ] && [ "$held" -gt "$timeline" ]; then
    fail "$target is held by the primary $holder on timeline $held, newer than $timeline" 14
  fi
fi
# $$ is unique among the live processes of this host: a file of that name is a leftover.
tmp="$dir/.$file.new.$$"
set -C
if ! { : >"$tmp"; } 2>/dev/null; then
  rm -f -- "$tmp"
  : >"$tmp" || { set +C; fail "cannot create a file in $dir" 10; }
fi
set +C
new=$tmp
head -c "$size" >"$new" || fail "cannot write $new" 10
got=$(wc -c <"$new")
[ "$got" -eq "$size" ] || fail "incomplete transfer: $got of $size bytes arrived" 11
if [ -f "$target" ] && same "$new" "$target"; then
  echo unchanged
  exit 0
fi
if [ -e "$target" ]; then
  chgrp --reference="$target" -- "$new" 2>/dev/null || :
  old="$dir/.$file.previous.$$"
  ln -f -- "$target" "$old" || { old=; fail "cannot keep a copy of $target" 10; }
fi
mv -f -- "$new" "$target" || fail "cannot rename over $target" 10
new= state=installed
if [ "$reload_here" = 1 ]; then
  echo reloading
  (reload) </dev/null >&2 || { rollback; fail "reload command failed; the previous file is back in place" 12; }
  state=reloaded
fi
echo installed
read -r verdict || verdict=
[ "$verdict" = commit ] || fail "not confirmed; the previous file is back in place" 13
state=done
)SH";

// The umask under which new files get MODE (an octal string such as "0640"): the installer
// creates its file with the final mode at once instead of starting chmod.
std::string umask_for(const std::string& mode) {
  const unsigned bits = std::stoul(mode, nullptr, 8) & 0777U;
  char mask[8];
  std::snprintf(mask, sizeof mask, "%03o", ~bits & 0777U);
  return mask;
}

}  // namespace

std::string shell_quote(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string install_script(const InstallRequest& request) {
  const bool reload_here = request.reload_command.has_value();
  // In the home directory the path is the remote user's, known only there.
  const std::string dir =
      request.in_home ? std::string("\"$HOME\"") : shell_quote(request.config_dir);
  return "dir=" + dir + " file=" + shell_quote(request.file_name) +
         " mask=" + umask_for(request.mode) +
         " size=" + std::to_string(request.size) + " timeline=" + std::to_string(request.timeline) +
         " fence=" + (request.fence ? "1" : "0") + " reload_here=" + (reload_here ? "1" : "0") +
         "\ntarget=\"$dir/$file\"\nreload() {\n" + request.reload_command.value_or(":") +
         "\n}\n" + std::string(script_body);
}

std::string read_script(const std::string& config_dir, const std::string& file_name,
                        bool mtime) {
  return "f=" + shell_quote(config_dir) + "/" + shell_quote(file_name) + R"(
if [ -f "$f" ]; then
  [ -r "$f" ] || { echo "cannot read $f" >&2; exit 10; }
  echo present; )" + (mtime ? R"(date -u -r "$f" +%Y-%m-%dT%H:%M:%SZ || exit 10; )" : "") +
         R"(exec cat -- "$f"
elif [ -e "$f" ]; then
  echo "$f is not a regular file" >&2; exit 10
fi
echo absent
)";
}

std::string reload_command_for(const std::optional<std::string>& configured,
                               const std::string& ssh_user) {
  if (configured && !configured->empty()) {
    return *configured;
  }
  // -n: fail at once instead of waiting for a password nobody can type.
  return ssh_user == "root" ? "service pgbouncer reload" : "sudo -n service pgbouncer reload";
}

}  // namespace pgdeploy
