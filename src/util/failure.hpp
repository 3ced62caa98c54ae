#pragma once

#include <string>

#include "util/errors.hpp"

namespace pgdeploy {

// How an exception ended a run: its exit code and its message.
struct Failure {
  ExitCode code;
  std::string message;
};

// The one handler of the exceptions that end a run, in both programs. Call it only in a catch
// block: logs the exception being handled once, at error level for a pgdeploy::Error (as
// "pgdeploy: error: MESSAGE" on stderr) and at critical level as an internal error for any
// other, and returns its exit code (Error's own, else internal) and its message.
Failure report_failure();

// MAIN(ARGC, ARGV), or report_failure()'s exit code when it throws: the whole of both
// programs' main().
int run_reporting_failures(int (*main)(int, const char* const*), int argc, const char* const* argv);

}  // namespace pgdeploy
