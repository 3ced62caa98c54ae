#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace pgdeploy {

// A failure on one app server, naming the step that failed (connect, host key, auth, write,
// reload, verify, ...). It fails that host only.
class HostError : public std::runtime_error {
 public:
  HostError(std::string step, const std::string& message)
      : std::runtime_error(message), step_(std::make_shared<const std::string>(std::move(step))) {}
  [[nodiscard]] const std::string& step() const { return *step_; }

 private:
  // Shared, so that copying the exception (as throwing does) cannot throw.
  std::shared_ptr<const std::string> step_;
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

}  // namespace pgdeploy
