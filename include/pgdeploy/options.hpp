#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pgdeploy {

enum class Verbosity { quiet, normal, verbose };

// The local repmgr database when neither -p nor repmgr.conf names one.
inline constexpr const char* default_pgconnstring = "host=/var/run/postgresql dbname=repmgr";

// What repmgr passes when it runs pgdeploy as its event_notification_command.
struct EventOptions {
  std::optional<std::string> event;    // %e; unset: a run by hand or from a timer
  std::optional<int> node_id;          // %n
  std::optional<std::string> success;  // %s: "1" or "0"
  std::string details;                 // %d
};

// Everything the command line configures for one run.
struct Options {
  std::string cluster;
  std::optional<std::string> pgconnstring;            // -p; wins over repmgr.conf
  std::optional<std::filesystem::path> repmgr_config;  // -f
  int timeout_seconds = 2;
  bool public_net = false;
  std::optional<std::filesystem::path> ssh_key;      // unset: first default key that exists
  std::optional<std::filesystem::path> known_hosts;  // unset: ~/.ssh/known_hosts
  int jobs = 32;
  bool force = false;  // skip the epoch check (after rebuilding a cluster from scratch)
  Verbosity verbosity = Verbosity::normal;
  EventOptions event;
};

// True when NAME is a valid cluster name: [A-Za-z0-9_-]+.
bool is_valid_cluster_name(const std::string& name);

// The user's ~/.ssh directory ($HOME, else the password database).
std::filesystem::path user_ssh_dir();

// The private key to use: the explicit one, else the first of id_ed25519, id_ecdsa, id_rsa in
// ssh_dir that exists. Throws a usage error when there is none.
std::filesystem::path resolve_ssh_key(const Options& options, const std::filesystem::path& ssh_dir);

// The known_hosts file to use: the explicit one, else ssh_dir/known_hosts.
std::filesystem::path resolve_known_hosts(const Options& options,
                                          const std::filesystem::path& ssh_dir);

}  // namespace pgdeploy
