#pragma once

// Local child processes for tests that run real shell code: the install script under
// /bin/sh, and a HostConnector whose "app server" is this machine.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/app_server.hpp"
#include "ssh/remote_host.hpp"

namespace pgdeploy::test {

// How a local process ended: its exit status (128 + N when killed by signal N) and output.
struct ProcessResult {
  int status = -1;
  std::string out;
  std::string err;
};

// A child process talked to over pipes, with RemoteCommand's contract: every blocking call
// gives up after TIMEOUT and throws HostError ("write" or "read"). The child starts with
// SIGPIPE at its default disposition. The destructor kills a child that is still running.
class LocalCommand final : public RemoteCommand {
 public:
  explicit LocalCommand(const std::vector<std::string>& argv,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~LocalCommand() override;
  LocalCommand(const LocalCommand&) = delete;
  LocalCommand& operator=(const LocalCommand&) = delete;

  void write(std::string_view data) override;
  void close_input() override;
  std::optional<std::string> read_line() override;
  CommandResult wait() override;

  pid_t pid() const { return pid_; }  // -1 once waited for

 private:
  // Moves data between the pipes until DONE() holds; throws HostError on timeout.
  template <typename Done>
  void pump(const char* step, Done done);
  // Moves what one ready descriptor has: input to the child, or its output into our buffers.
  void transfer(int fd);
  static void close_fd(int& fd);

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  std::string pending_input_;
  std::string output_;
  std::string errors_;
  std::chrono::milliseconds timeout_;
};

// Runs ARGV with STDIN_DATA as its whole standard input (then end of input).
ProcessResult run_process(const std::vector<std::string>& argv, std::string_view stdin_data);

// Runs SCRIPT with /bin/sh -c, as sshd runs a command through a POSIX login shell.
ProcessResult run_shell(const std::string& script, std::string_view stdin_data);

// A HostConnector whose every host is this machine: commands run under /bin/sh -c, bounded by
// LocalCommand's timeout rather than the deadline.
class LocalShellConnector final : public HostConnector {
 public:
  std::unique_ptr<RemoteHost> connect(const AppServer& host, HostDeadline& deadline) override;
  std::vector<std::string> connected;  // names of the app servers connected to
};

}  // namespace pgdeploy::test
