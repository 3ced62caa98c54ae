#include "util/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>

namespace pgdeploy {
namespace {

volatile std::sig_atomic_t received_signal = 0;
// The self-pipe: the handler writes a byte to its write end, so that a wait in poll() wakes
// up at once. Made on first use (interrupt_fd).
volatile std::sig_atomic_t pipe_write_end = -1;
int pipe_read_end = -1;

void wake_waiter() {
  if (pipe_write_end >= 0) {
    [[maybe_unused]] const auto written = ::write(pipe_write_end, "!", 1);
  }
}

extern "C" void record_signal(int signal) {
  received_signal = signal;
  const int saved = errno;
  wake_waiter();
  errno = saved;
}

}  // namespace

void catch_interrupts() {
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

int interrupt_fd() {
  if (pipe_read_end < 0) {
    std::array<int, 2> ends{-1, -1};
    if (::pipe2(ends.data(), O_NONBLOCK | O_CLOEXEC) != 0) {
      return -1;  // then a wait notices the signal at its next timeout
    }
    pipe_read_end = ends[0];
    pipe_write_end = ends[1];
    if (received_signal != 0) {
      wake_waiter();  // the signal came before the pipe
    }
  }
  return pipe_read_end;
}

}  // namespace pgdeploy
