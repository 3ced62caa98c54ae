#pragma once

#include <stdexcept>
#include <string>

namespace pgdeploy {

// The process exit codes; the one place they are defined.
enum class ExitCode : int {
  ok = 0,              // every enabled app server is updated or already current
  host_failed = 1,     // at least one app server failed; the others were still updated
  usage = 2,           // bad command line or configuration
  metadata = 3,        // database unreachable or its metadata unusable; nothing pushed
  safety_refusal = 4,  // acting would be unsafe (e.g. two active primaries); nothing pushed
  lock_busy = 5,       // another run of the cluster held the run lock past --lock-wait
  interrupted = 6,     // SIGINT or SIGTERM ended the run before it finished
  internal = 70        // an unexpected exception: a bug (sysexits' EX_SOFTWARE)
};

// An error that ends the run with a specific exit code. Printed once, by report_failure()
// (util/failure.hpp).
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ExitCode exit_code() const { return code_; }

 private:
  ExitCode code_;
};

// Bad command line or configuration file: exit 2.
inline Error usage_error(const std::string& message) { return {ExitCode::usage, message}; }

// Database unreachable or metadata missing/invalid: exit 3.
inline Error metadata_error(const std::string& message) { return {ExitCode::metadata, message}; }

// The metadata is readable but acting on it would be unsafe: exit 4.
inline Error safety_refusal(const std::string& message) {
  return {ExitCode::safety_refusal, message};
}

}  // namespace pgdeploy
