#include "util/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>

namespace pgdeploy {
namespace {

volatile std::sig_atomic_t received_signal = 0;
// The self-pipe: the handler writes a byte, so that a wait in poll() wakes up at once.
std::array<int, 2> signal_pipe{-1, -1};

extern "C" void record_signal(int signal) {
  received_signal = signal;
  const int saved = errno;
  [[maybe_unused]] const auto written = ::write(signal_pipe[1], "!", 1);
  errno = saved;
}

}  // namespace

void catch_interrupts() {
  if (signal_pipe[0] < 0 && ::pipe2(signal_pipe.data(), O_NONBLOCK | O_CLOEXEC) != 0) {
    signal_pipe = {-1, -1};  // then waits notice the signal at their next timeout
  }
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: blocking calls of in-flight hosts carry on, each bounded by its timeout.
  // SA_RESETHAND: the second signal takes the default action.
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int interrupting_signal() { return received_signal; }

int interrupt_fd() { return signal_pipe[0]; }

}  // namespace pgdeploy
