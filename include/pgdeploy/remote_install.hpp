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
  // Shell command that reloads PgBouncer after the rename; nullopt: the installer instead
  // prints "installed" and waits on stdin for "commit" (keep) or anything else (roll back),
  // while pgdeploy reloads through the admin console and verifies.
  std::optional<std::string> reload_command;
};

// Exit statuses of the installer, so that pgdeploy can name the failed step.
enum InstallStatus : int {
  install_ok = 0,
  install_write_failed = 10,
  install_incomplete = 11,
  install_reload_failed = 12,
  install_rolled_back = 13,
};

// Words of the conversation with the installer.
inline constexpr std::string_view installed_line = "installed";
inline constexpr std::string_view commit_line = "commit\n";
inline constexpr std::string_view rollback_line = "rollback\n";

// The POSIX shell script that writes the fragment atomically: a temporary file in config_dir,
// a size check, mode 0640, rename over the target; after a failed reload (or a rollback, or a
// lost connection before commit) the previous file is put back. No temporary file survives.
std::string install_script(const InstallRequest& request);

// TEXT quoted for a POSIX shell.
std::string shell_quote(std::string_view text);

// The reload command for an app server: its own, else `sudo -n service pgbouncer reload`
// (without sudo for root).
std::string reload_command_for(const std::optional<std::string>& configured,
                               const std::string& ssh_user);

}  // namespace pgdeploy
