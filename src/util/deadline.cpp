#include "util/deadline.hpp"

#include <algorithm>

namespace pgdeploy {

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) {
    return std::to_string(ms / 1000) + " s";
  }
  std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
  fraction.erase(fraction.find_last_not_of('0') + 1);
  return std::to_string(ms / 1000) + "." + fraction + " s";
}

namespace {

// A wait cut at the deadline can wake a few milliseconds early (libssh counts whole ones).
constexpr std::chrono::milliseconds early_wake{10};

}  // namespace

TimeLimits TimeLimits::operations_only(std::chrono::milliseconds operation) {
  TimeLimits limits;
  limits.operation = operation;
  // Far enough to never come, near enough that adding it to now() cannot overflow.
  limits.host = std::chrono::hours(24 * 365);
  limits.run = limits.host;
  return limits;
}

int TimeLimits::run_seconds_left() const {
  const auto left = std::chrono::ceil<std::chrono::seconds>(run_end() - now());
  return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

HostDeadline::HostDeadline(const TimeLimits& limits)
    : now_(limits.now), operation_(limits.operation) {
  const Clock::time_point host_end = now_() + limits.host;
  end_ = std::min(host_end, limits.run_end());
  limit_ = host_end <= limits.run_end() ? "host deadline of " + seconds_text(limits.host)
                                        : "run deadline of " + seconds_text(limits.run);
}

Clock::time_point HostDeadline::wait_end() const {
  const Clock::time_point now = now_();
  return lifts_ > 0 ? now + operation_ : std::min(now + operation_, end_);
}

int HostDeadline::ms_until(Clock::time_point end) const {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(end - now_());
  return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

int HostDeadline::wait_ms() const { return std::max(ms_until(wait_end()), 1); }

bool HostDeadline::expired() const { return lifts_ == 0 && now_() >= end_; }

void HostDeadline::check() const {
  if (expired()) {
    throw timeout();
  }
}

HostError HostDeadline::timeout() const {
  return {timeout_step, step_ + " did not finish within the " + limit_};
}

HostError HostDeadline::failure(const std::string& step, const std::string& message) const {
  if (lifts_ == 0 && now_() + early_wake >= end_) {
    return timeout();
  }
  return {step, message};
}

std::string HostDeadline::no_answer() const {
  return "no answer within " + seconds_text(operation_);
}

}  // namespace pgdeploy
