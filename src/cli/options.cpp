#include "cli/options.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "util/deadline.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

bool is_valid_cluster_name(const std::string& name) {
  // ASCII only, whatever the locale: the name becomes a file name and a schema name.
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::filesystem::path user_ssh_dir() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".ssh";
  }
  // Without HOME (e.g. started by a service manager) fall back to the password database.
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    return std::filesystem::path(entry->pw_dir) / ".ssh";
  }
  return ".ssh";
}

std::filesystem::path resolve_ssh_key(const Options& options,
                                      const std::filesystem::path& ssh_dir) {
  if (options.ssh_key) {
    return *options.ssh_key;
  }
  constexpr std::array candidates{"id_ed25519", "id_ecdsa", "id_rsa"};
  for (const char* name : candidates) {
    std::error_code ignored;
    if (std::filesystem::exists(ssh_dir / name, ignored)) {
      return ssh_dir / name;
    }
  }
  throw usage_error("no SSH key: none of id_ed25519, id_ecdsa, id_rsa exists in " +
                    ssh_dir.string() + "; name one with --ssh-key");
}

std::filesystem::path resolve_known_hosts(const Options& options,
                                          const std::filesystem::path& ssh_dir) {
  return options.known_hosts.value_or(ssh_dir / "known_hosts");
}

SshFiles ssh_files(const Options& options) {
  const std::filesystem::path ssh_dir = user_ssh_dir();
  std::filesystem::path key = resolve_ssh_key(options, ssh_dir);
  return {std::move(key), resolve_known_hosts(options, ssh_dir)};
}

std::optional<std::string> wait_agents_problem(const Options& options) {
  if (options.etcd.wait_agents &&
      (options.command != Command::deploy || options.mode != Mode::deploy ||
       options.etcd.endpoints.empty())) {
    return "--wait-agents waits after a publish: it is for a deploy with --etcd";
  }
  return std::nullopt;
}

TimeLimits limits_for(const Options& options) {
  TimeLimits limits;
  limits.operation = std::chrono::seconds(options.timeout_seconds);
  limits.host = std::chrono::seconds(
      options.host_timeout_seconds.value_or(host_timeout_factor * options.timeout_seconds));
  limits.run = std::chrono::seconds(options.run_timeout_seconds);
  return limits;
}

}  // namespace pgdeploy
