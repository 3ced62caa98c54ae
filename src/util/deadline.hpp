#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "util/host_error.hpp"

namespace pgdeploy {

using Clock = std::chrono::steady_clock;

// A duration as messages say it: whole seconds as such ("10 s"), else with the fraction
// ("0.25 s").
std::string seconds_text(std::chrono::milliseconds duration);

// The time limits of one run: -t for each single wait, --host-timeout for everything done for
// one app server, --run-timeout for the whole run. NOW is the clock (a test may turn it by hand).
struct TimeLimits {
  std::chrono::milliseconds operation{2000};
  std::chrono::milliseconds host{10000};
  std::chrono::milliseconds run{60000};
  Clock::time_point run_started = Clock::now();
  std::function<Clock::time_point()> now = [] { return Clock::now(); };

  // Limits that never run out but for -t: for tests and for work outside a run.
  static TimeLimits operations_only(std::chrono::milliseconds operation);
  [[nodiscard]] Clock::time_point run_end() const { return run_started + run; }
  [[nodiscard]] bool run_expired() const { return now() >= run_end(); }
  // The seconds of the run left (rounded up), for waits that take whole seconds.
  [[nodiscard]] int run_seconds_left() const;
};

// The end of one app server's work: the host deadline from when it started, clipped to the
// run's. Each wait is limited to min(-t, time left), and when the deadline passes the host fails
// with "timeout: STEP did not finish within the host deadline of N s", STEP being the one last
// named with begin(). One host, one thread: not to be shared.
class HostDeadline {
 public:
  // The step of every HostError the deadline throws.
  static constexpr const char* timeout_step = "timeout";

  explicit HostDeadline(const TimeLimits& limits);

  // Names the step now in progress (connect, host key, auth, install, reload, verify, ...).
  void begin(std::string step) { step_ = std::move(step); }
  [[nodiscard]] const std::string& step() const { return step_; }
  // -t: the longest single wait.
  [[nodiscard]] std::chrono::milliseconds operation() const { return operation_; }

  // When a wait that starts now must end: -t from now, or the deadline if that comes first.
  [[nodiscard]] Clock::time_point wait_end() const;
  // Milliseconds until wait_end(), at least 1 (a zero would mean "do not wait" to libssh).
  [[nodiscard]] int wait_ms() const;
  // Milliseconds until END, at least 0.
  [[nodiscard]] int ms_until(Clock::time_point end) const;
  [[nodiscard]] bool expired() const;
  // Throws timeout() when the deadline has passed: called before each operation.
  void check() const;
  // The host's failure once its deadline has passed.
  [[nodiscard]] HostError timeout() const;
  // The failure of an operation that ended in error or without an answer: timeout() when the
  // deadline cut it short, else HostError(STEP, MESSAGE).
  [[nodiscard]] HostError failure(const std::string& step, const std::string& message) const;
  // "no answer within N s", N being -t: the message of a wait -t cut short.
  [[nodiscard]] std::string no_answer() const;

  // Lifts the deadline (but not -t) while it lives: for cleanups that must run even after the
  // deadline passed, such as RESUME of a paused database.
  class Lift {
   public:
    explicit Lift(HostDeadline& deadline) : deadline_(deadline) { ++deadline_.lifts_; }
    ~Lift() { --deadline_.lifts_; }
    Lift(const Lift&) = delete;
    Lift& operator=(const Lift&) = delete;

   private:
    HostDeadline& deadline_;
  };

 private:
  std::function<Clock::time_point()> now_;
  std::chrono::milliseconds operation_;
  Clock::time_point end_;
  std::string limit_;  // "host deadline of 10 s", or the run's when it came first
  std::string step_ = "connect";
  int lifts_ = 0;
};

}  // namespace pgdeploy
