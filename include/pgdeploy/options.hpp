#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pgdeploy {

enum class Verbosity { quiet, normal, verbose };

// Everything the command line configures for one run.
struct Options {
  std::string cluster;
  std::string pgconnstring = "host=/var/run/postgresql dbname=repmgr";
  int timeout_seconds = 2;
  bool public_net = false;
  std::optional<std::filesystem::path> ssh_key;      // unset: first default key that exists
  std::optional<std::filesystem::path> known_hosts;  // unset: ~/.ssh/known_hosts
  int jobs = 32;
  Verbosity verbosity = Verbosity::normal;
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
