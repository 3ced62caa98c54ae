#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pgdeploy/cluster.hpp"

namespace pgdeploy {

class HostDeadline;

// A failure on one app server, naming the step that failed (connect, host key, auth, write,
// reload, verify, ...). It fails that host only.
class HostError : public std::runtime_error {
 public:
  HostError(std::string step, const std::string& message)
      : std::runtime_error(message), step_(std::move(step)) {}
  const std::string& step() const { return step_; }

 private:
  std::string step_;
};

// A host that cannot be served because this process has no file descriptor left; the fix is
// the limit (or -j), not the host.
class DescriptorsExhausted : public HostError {
 public:
  DescriptorsExhausted(std::string step, const std::string& message)
      : HostError(std::move(step), message) {}
};

// A host key that cannot be checked because a line of known_hosts for the host is corrupt;
// the fix is that line, not the host's key.
class KnownHostsCorrupt : public HostError {
 public:
  explicit KnownHostsCorrupt(const std::string& message) : HostError("host key", message) {}
};

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

}  // namespace pgdeploy
