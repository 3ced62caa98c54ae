#pragma once

#include <filesystem>
#include <string>

#include "ssh/remote_host.hpp"

namespace pgdeploy {

// Why the TCP connection to HOST failed, naming where it went (libssh names neither the port
// nor, on a refusal, the address): "ssh to 10.0.0.5 port 2222: Connection refused".
std::string connect_problem(const AppServer& host, const std::string& why);

// Connects to app servers with libssh: public key authentication with one key, host keys
// checked strictly against one known_hosts file, ~/.ssh/config and the system known_hosts
// never read. Safe to use from several threads: each connection is its own session.
class SshConnector final : public HostConnector {
 public:
  // Reads the private key once. Throws a usage error when it cannot be read or parsed, or
  // when the known_hosts file does not exist.
  SshConnector(const std::filesystem::path& private_key, std::filesystem::path known_hosts);

  // Every wait (connect, key exchange, auth, each channel request, read and write) is limited
  // to min(-t, time left of DEADLINE).
  std::unique_ptr<RemoteHost> connect(const AppServer& host, HostDeadline& deadline) override;

 private:
  std::string private_key_text_;
  std::filesystem::path known_hosts_;
};

}  // namespace pgdeploy
