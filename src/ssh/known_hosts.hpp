#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pgdeploy {

// A line of a known_hosts file that names a host but whose key cannot be read.
struct CorruptKnownHost {
  int line = 0;     // 1-based
  std::string why;  // e.g. "unknown key type ssh-foo"
};

// The first line of the known_hosts file at PATH that names ADDRESS:PORT (plainly, as
// [address]:port for a port other than 22, or hashed as |1|salt|hash) but cannot be read: too
// few fields, an unknown key type or a key that does not decode. libssh 0.10 stops reading the
// file at such a line, so the host's valid lines after it are never seen. nullopt when there is
// none, or the file cannot be read.
std::optional<CorruptKnownHost> corrupt_known_host(const std::filesystem::path& path,
                                                   const std::string& address, int port);

// "known_hosts line PATH:N is corrupt (WHY); repair or delete it".
std::string describe(const CorruptKnownHost& corrupt, const std::filesystem::path& path);

}  // namespace pgdeploy
