#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "util/host_error.hpp"

namespace pgdeploy {

struct AppServer;

class HostDeadline;

// How a remote command ended.
struct CommandResult {
  int exit_status = -1;
  std::string output;  // what stdout held after the last read_line
  std::string errors;  // stderr
};

// A command running on an app server: a conversation over its stdin and stdout.
// Every blocking call is bounded by the connection's deadline (see HostDeadline) and throws
// HostError on expiry.
class RemoteCommand {
 public:
  virtual ~RemoteCommand() = default;
  virtual void write(std::string_view data) = 0;
  virtual void close_input() = 0;
  // The next line of stdout without its newline; nullopt when stdout ended first.
  virtual std::optional<std::string> read_line() = 0;
  // Reads until the command ends and returns how it ended.
  virtual CommandResult wait() = 0;
};

// An authenticated connection to one app server.
class RemoteHost {
 public:
  virtual ~RemoteHost() = default;
  // Starts COMMAND through the remote user's shell.
  virtual std::unique_ptr<RemoteCommand> start(const std::string& command) = 0;
};

// Opens connections to app servers. Throws HostError (connect, host key, auth, or timeout).
class HostConnector {
 public:
  virtual ~HostConnector() = default;
  // The connection, and everything run over it, is bounded by DEADLINE, which must outlive it.
  virtual std::unique_ptr<RemoteHost> connect(const AppServer& host, HostDeadline& deadline) = 0;
};

// Loads the HostConnector of a run from its private key and known_hosts file. Loading can fail
// (a usage error), so each command calls it where that failure belongs.
using HostConnectorLoader = std::function<HostConnector&(const std::filesystem::path& private_key,
                                                         const std::filesystem::path& known_hosts)>;

// Runs SCRIPT on REMOTE with no input and waits for it to end.
CommandResult run_remote(RemoteHost& remote, const std::string& script);

}  // namespace pgdeploy
