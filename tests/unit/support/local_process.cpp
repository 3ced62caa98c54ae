#include "support/local_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

#include "model/app_server.hpp"

extern char** environ;

namespace pgdeploy::test {
namespace {

using Clock = std::chrono::steady_clock;

void ignore_sigpipe_once() {
  // A child that exits before reading its input must turn our write into EPIPE, not a signal.
  static const bool ignored = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  static_cast<void>(ignored);
}

std::string errno_text() { return std::strerror(errno); }

void make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2: " + errno_text());
  }
}

int decode_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

class LocalShellHost final : public RemoteHost {
 public:
  std::unique_ptr<RemoteCommand> start(const std::string& command) override {
    return std::make_unique<LocalCommand>(std::vector<std::string>{"/bin/sh", "-c", command});
  }
};

}  // namespace

LocalCommand::LocalCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  ignore_sigpipe_once();
  int in[2];
  int out[2];
  int err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  const int spawned = posix_spawn(&pid_, args.front(), &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  stdin_ = in[1];
  stdout_ = out[0];
  stderr_ = err[0];
  if (spawned != 0) {
    close_fd(stdin_);
    close_fd(stdout_);
    close_fd(stderr_);
    throw std::runtime_error("posix_spawn " + argv.front() + ": " + std::strerror(spawned));
  }
}

LocalCommand::~LocalCommand() {
  close_fd(stdin_);
  close_fd(stdout_);
  close_fd(stderr_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void LocalCommand::close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

void LocalCommand::transfer(int fd) {
  if (fd == stdin_) {
    // POLLOUT promises room for PIPE_BUF bytes; more could block on a child that stopped reading.
    const std::size_t chunk = std::min<std::size_t>(pending_input_.size(), PIPE_BUF);
    const ssize_t n = ::write(stdin_, pending_input_.data(), chunk);
    if (n < 0) {
      throw HostError("write", "the command no longer reads its input: " + errno_text());
    }
    pending_input_.erase(0, static_cast<std::size_t>(n));
    return;
  }
  std::array<char, 4096> buffer{};
  const ssize_t n = ::read(fd, buffer.data(), buffer.size());
  if (n <= 0) {
    close_fd(fd == stdout_ ? stdout_ : stderr_);
  } else {
    (fd == stdout_ ? output_ : errors_).append(buffer.data(), static_cast<std::size_t>(n));
  }
}

template <typename Done>
void LocalCommand::pump(const char* step, Done done) {
  const auto deadline = Clock::now() + timeout_;
  while (!done()) {
    std::vector<pollfd> fds;
    if (!pending_input_.empty() && stdin_ >= 0) {
      fds.push_back({stdin_, POLLOUT, 0});
    }
    for (const int fd : {stdout_, stderr_}) {
      if (fd >= 0) {
        fds.push_back({fd, POLLIN, 0});
      }
    }
    if (fds.empty()) {
      return;  // nothing left that could change the state
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      throw HostError(step, "no answer within " + std::to_string(timeout_.count()) + " ms");
    }
    if (poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) {
      throw HostError(step, "poll: " + errno_text());
    }
    for (const pollfd& ready : fds) {
      if (ready.revents != 0) {
        transfer(ready.fd);
      }
    }
  }
}

void LocalCommand::write(std::string_view data) {
  if (stdin_ < 0) {
    throw HostError("write", "input already closed");
  }
  pending_input_ += data;
  pump("write", [&] { return pending_input_.empty(); });
  if (!pending_input_.empty()) {
    throw HostError("write", "the command ended before reading its input");
  }
}

void LocalCommand::close_input() { close_fd(stdin_); }

std::optional<std::string> LocalCommand::read_line() {
  pump("read", [&] { return output_.find('\n') != std::string::npos; });
  const auto newline = output_.find('\n');
  if (newline == std::string::npos) {
    return std::nullopt;
  }
  std::string line = output_.substr(0, newline);
  output_.erase(0, newline + 1);
  return line;
}

CommandResult LocalCommand::wait() {
  pending_input_.clear();
  pump("read", [&] { return stdout_ < 0 && stderr_ < 0; });
  int status = 0;
  if (waitpid(pid_, &status, 0) != pid_) {
    throw HostError("read", "waitpid: " + errno_text());
  }
  pid_ = -1;
  return {decode_status(status), std::move(output_), std::move(errors_)};
}

ProcessResult run_process(const std::vector<std::string>& argv, std::string_view stdin_data) {
  LocalCommand command(argv);
  try {
    command.write(stdin_data);
  } catch (const HostError&) {
    // The process ended without reading everything; how it ended is what matters.
  }
  command.close_input();
  CommandResult result = command.wait();
  return {result.exit_status, std::move(result.output), std::move(result.errors)};
}

ProcessResult run_shell(const std::string& script, std::string_view stdin_data) {
  return run_process({"/bin/sh", "-c", script}, stdin_data);
}

std::unique_ptr<RemoteHost> LocalShellConnector::connect(const AppServer& host,
                                                         HostDeadline& /*deadline*/) {
  connected.push_back(host.name);
  return std::make_unique<LocalShellHost>();
}

}  // namespace pgdeploy::test
