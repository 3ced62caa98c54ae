#include "ssh/remote_install.hpp"

#include <cstdio>

#include "pgdeploy/await_installers_sh.hpp"
#include "pgdeploy/install_sh.hpp"
#include "pgdeploy/read_file_sh.hpp"
#include "pgdeploy/read_sh.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// The umask under which new files get MODE (an octal string such as "0640"): the installer
// creates its file with the final mode at once instead of starting chmod.
std::string umask_for(const std::string& mode) {
  const unsigned bits = std::stoul(mode, nullptr, 8) & 0777U;
  return padded_digits(~bits & 0777U, 8, 3);
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
         " mask=" + umask_for(request.mode) + " size=" + std::to_string(request.size) +
         " timeline=" + std::to_string(request.timeline) + " fence=" + (request.fence ? "1" : "0") +
         " node=" + std::to_string(request.node_id) +
         " system=" + shell_quote(request.system_identifier) +
         " hold=" + (request.hold ? "1" : "0") + " reload_here=" + (reload_here ? "1" : "0") +
         "\nreload() {\n" + request.reload_command.value_or(":") + "\n}\n" +
         std::string(install_sh);
}

std::string read_script(const std::string& config_dir, const std::string& file_name, bool mtime) {
  return "f=" + shell_quote(config_dir) + "/" + shell_quote(file_name) +
         " mtime=" + (mtime ? "1" : "0") + "\n" + std::string(read_sh);
}

std::string read_file_script(const std::string& path) {
  return "f=" + shell_quote(path) + "\n" + std::string(read_file_sh);
}

std::string await_installers_script(const std::string& config_dir, const std::string& file_name,
                                    int wait_seconds) {
  return "dir=" + shell_quote(config_dir) + " file=" + shell_quote(file_name) +
         " tries=" + std::to_string(wait_seconds * 10) + "\n" + std::string(await_installers_sh);
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
