#include "util/failure.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "support/fakes.hpp"

namespace pgdeploy {
namespace {

using test::CapturedLog;

Failure failure_of(void (*thrower)()) {
  try {
    thrower();
  } catch (...) {
    return report_failure();
  }
  ADD_FAILURE() << "nothing thrown";
  return {ExitCode::ok, ""};
}

TEST(ReportFailure, AnErrorIsLoggedOnceWithItsOwnCode) {
  const CapturedLog log;
  const Failure failure =
      failure_of([] { throw Error(ExitCode::lock_busy, "another run holds the lock"); });
  EXPECT_EQ(failure.code, ExitCode::lock_busy);
  EXPECT_EQ(failure.message, "another run holds the lock");
  EXPECT_EQ(log.text(), "error another run holds the lock\n");
}

TEST(ReportFailure, AnyOtherExceptionIsAnInternalError) {
  const CapturedLog log;
  const Failure failure = failure_of([] { throw std::out_of_range("vector::at"); });
  EXPECT_EQ(failure.code, ExitCode::internal);
  EXPECT_EQ(static_cast<int>(failure.code), 70);
  EXPECT_EQ(failure.message, "vector::at");
  EXPECT_EQ(log.text(), "critical unexpected failure: vector::at\n");
}

TEST(ReportFailure, AnExceptionOfNoKnownTypeIsAnInternalErrorToo) {
  const CapturedLog log;
  const Failure failure = failure_of([] { throw 42; });
  EXPECT_EQ(failure.code, ExitCode::internal);
  EXPECT_EQ(log.text(), "critical unexpected failure: an exception of unknown type\n");
}

int returns_three(int, const char* const*) { return 3; }
int throws_usage_error(int, const char* const*) { throw usage_error("bad option"); }
int throws_runtime_error(int, const char* const*) { throw std::runtime_error("bug"); }

TEST(RunReportingFailures, ReturnsTheExitCodeOfMainOrOfWhatItThrows) {
  const CapturedLog log;
  const char* const argv[] = {"pgdeploy", nullptr};
  EXPECT_EQ(run_reporting_failures(returns_three, 1, argv), 3);
  EXPECT_EQ(log.text(), "");
  EXPECT_EQ(run_reporting_failures(throws_usage_error, 1, argv), 2);
  EXPECT_EQ(log.text(), "error bad option\n");
  EXPECT_EQ(run_reporting_failures(throws_runtime_error, 1, argv), 70);
  EXPECT_EQ(log.text(), "error bad option\ncritical unexpected failure: bug\n");
}

// 0-4 keep their meaning; the others have codes of their own, documented in README.md.
TEST(ExitCodes, EachCauseHasItsOwnCode) {
  EXPECT_EQ(static_cast<int>(ExitCode::ok), 0);
  EXPECT_EQ(static_cast<int>(ExitCode::host_failed), 1);
  EXPECT_EQ(static_cast<int>(ExitCode::usage), 2);
  EXPECT_EQ(static_cast<int>(ExitCode::metadata), 3);
  EXPECT_EQ(static_cast<int>(ExitCode::safety_refusal), 4);
  EXPECT_EQ(static_cast<int>(ExitCode::lock_busy), 5);
  EXPECT_EQ(static_cast<int>(ExitCode::interrupted), 6);
  EXPECT_EQ(static_cast<int>(ExitCode::internal), 70);
}

}  // namespace
}  // namespace pgdeploy
