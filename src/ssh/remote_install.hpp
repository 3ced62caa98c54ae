#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pgdeploy {

// What the remote installer does with one fragment.
struct InstallRequest {
  std::string config_dir;  // absolute
  std::string file_name;   // <cluster>.ini
  std::size_t size = 0;    // bytes pgdeploy sends on stdin
  int timeline = 0;        // the primary's timeline, written in the fragment's epoch line
  // Apply the fencing rule (plan/fragment_format.hpp) to the file in place. Off with --force.
  bool fence = true;
  int node_id = 0;                // this run's primary, for the fencing rule
  std::string system_identifier;  // this run's cluster; empty: not compared
  // Shell command that reloads PgBouncer after the rename; nullopt: pgdeploy reloads through
  // the admin console after "installed" and verifies before it sends "commit".
  std::optional<std::string> reload_command;
  std::string mode = "0640";  // of the installed file: readable by PgBouncer's group
  bool in_home = false;       // config_dir is ignored: the file goes to the user's $HOME
  // After the fencing check and the transfer, print "ready" and wait for "go" before the
  // rename: pgdeploy pushes the files that must only follow a fragment that passed fencing.
  bool hold = false;
};

// Exit statuses of the installer, so that pgdeploy can name the failed step. The build fills
// them into scripts/install.sh (@INSTALL_REFUSED@ ...): one enumerator a line, "name = N,".
enum InstallStatus : int {
  install_ok = 0,
  install_write_failed = 10,
  install_incomplete = 11,
  install_reload_failed = 12,
  install_rolled_back = 13,
  install_refused = 14,
  install_unreadable = 15,  // the file in place exists but cannot be read
};

// The conversation with the installer: pgdeploy sends `size` bytes; the installer writes them,
// renames, reloads when it has a reload command (after printing "reloading"), and prints
// "installed"; pgdeploy (after its own
// RELOAD and verification) answers "commit". Anything else, or a lost connection, rolls back.
// When the file in place already says the same (same_fragment), the installer prints
// "unchanged" instead and exits 0 without writing or reloading.
inline constexpr std::string_view installed_line = "installed";
inline constexpr std::string_view ready_line = "ready";
inline constexpr std::string_view go_line = "go\n";
// Printed before the reload command runs: what follows is the reload's time.
inline constexpr std::string_view reloading_line = "reloading";
inline constexpr std::string_view unchanged_line = "unchanged";
// Printed before anything else when there is no file in place: the installer creates it.
inline constexpr std::string_view new_file_line = "new file";
inline constexpr std::string_view commit_line = "commit\n";
inline constexpr std::string_view rollback_line = "rollback\n";

// The scripts below are the files of scripts/, POSIX sh, which the build turns into C++; each
// function puts this run's values before its script, as shell assignments quoted with
// shell_quote.

// The POSIX shell script that writes the fragment atomically: an epoch check against the file in
// place, a temporary file in config_dir, a size check, mode 0640, rename over the target; after
// a failed reload, a rollback or a lost connection before "commit" the previous file is put
// back (and reloaded again if it had been). No temporary file survives.
std::string install_script(const InstallRequest& request);

// The POSIX shell script that prints "present" and then the file <config_dir>/<file_name>, or
// "absent" when there is none; exit 10 when it exists but is not a regular file or unreadable.
// With MTIME, a line with the file's modification time (UTC, ISO 8601; GNU date) comes between.
std::string read_script(const std::string& config_dir, const std::string& file_name,
                        bool mtime = false);

// The POSIX shell script that prints the file PATH; exit 1, saying why on stderr, when it does not
// exist or the SSH user cannot read it.
std::string read_file_script(const std::string& path);

// The POSIX shell script that waits up to WAIT_SECONDS until no installer of
// <config_dir>/<file_name> runs any more (its marker file is gone); exit 10 when one still does.
std::string await_installers_script(const std::string& config_dir, const std::string& file_name,
                                    int wait_seconds);

// TEXT quoted for a POSIX shell.
std::string shell_quote(std::string_view text);

// The reload command for an app server: its own, else `sudo -n service pgbouncer reload`
// (without sudo for root).
std::string reload_command_for(const std::optional<std::string>& configured,
                               const std::string& ssh_user);

}  // namespace pgdeploy
