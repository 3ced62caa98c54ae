#include "pgdeploy/remote_install.hpp"

namespace pgdeploy {
namespace {

// Runs on the app server through the SSH user's shell. The EXIT trap is the only place that
// cleans up, so every way out (failure, signal, lost connection, syntax error in a configured
// reload command) removes the temporary file and, unless the run reached "done", puts the
// previous file back.
constexpr std::string_view script_head = R"(umask 077
new= old= state=start
rollback() {
  [ "$state" = installed ] || return 0
  if [ -z "$old" ]; then
    rm -f -- "$target"
  elif ! mv -f -- "$old" "$target"; then
    echo "cannot put the previous file back; it is kept as $old" >&2
  fi
  old=
  state=rolled_back
}
cleanup() { rollback; rm -f -- ${new:+"$new"} ${old:+"$old"}; }
trap cleanup EXIT
trap 'exit 129' HUP INT TERM PIPE
fail() { echo "$1" >&2; exit "$2"; }
[ -d "$dir" ] || fail "config_dir $dir is not a directory" 10
tmp=$(mktemp "$dir/.$file.XXXXXX") || fail "cannot create a file in $dir" 10
new=$tmp
head -c "$size" >"$new" || fail "cannot write $new" 10
got=$(wc -c <"$new")
[ "$got" -eq "$size" ] || fail "incomplete transfer: $got of $size bytes arrived" 11
chmod 0640 "$new" || fail "cannot set the mode of $new" 10
if [ -e "$target" ]; then
  chgrp --reference="$target" -- "$new" 2>/dev/null || :
  old="$dir/.$file.previous.$$"
  ln -f -- "$target" "$old" || { old=; fail "cannot keep a copy of $target" 10; }
fi
mv -f -- "$new" "$target" || fail "cannot rename over $target" 10
new= state=installed
)";

constexpr std::string_view reload_head = "if ! (\n";
constexpr std::string_view reload_tail = R"(
) </dev/null >&2; then
  rollback
  fail "reload command failed; the previous file is back in place" 12
fi
state=done
)";

constexpr std::string_view verdict_step = R"(echo installed
read -r verdict || verdict=
[ "$verdict" = commit ] || fail "rolled back; the previous file is back in place" 13
state=done
)";

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
  std::string script = "dir=" + shell_quote(request.config_dir) +
                       " file=" + shell_quote(request.file_name) +
                       " size=" + std::to_string(request.size) + "\n" +
                       "target=\"$dir/$file\"\n" + std::string(script_head);
  if (request.reload_command) {
    script += std::string(reload_head) + *request.reload_command + std::string(reload_tail);
  } else {
    script += verdict_step;
  }
  return script;
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
