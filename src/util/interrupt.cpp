#include "util/interrupt.hpp"

#include <csignal>

namespace pgdeploy {
namespace {

volatile std::sig_atomic_t received_signal = 0;

extern "C" void record_signal(int signal) { received_signal = signal; }

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

}  // namespace pgdeploy
