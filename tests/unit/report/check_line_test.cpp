#include "report/check_line.hpp"

#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

using namespace std::chrono_literals;

HostOutcome host(const std::string& name, HostResult result, bool elsewhere = false) {
  HostOutcome outcome{name, "10.0.0.5", result, "", 3ms, {}};
  outcome.elsewhere = elsewhere;
  return outcome;
}

TEST(CheckState, EveryHostCurrentIsOk) {
  EXPECT_EQ(check_state({host("a", HostResult::unchanged)}, ExitCode::ok), CheckState::ok);
  EXPECT_EQ(check_state({}, ExitCode::ok), CheckState::ok);
}

TEST(CheckState, AFragmentThatDiffersButRoutesToThePrimaryIsAWarning) {
  EXPECT_EQ(check_state({host("a", HostResult::unchanged), host("b", HostResult::would_update)},
                        ExitCode::host_failed),
            CheckState::warning);
}

TEST(CheckState, AnUnreadableHostIsAWarning) {
  EXPECT_EQ(check_state({host("a", HostResult::failed)}, ExitCode::host_failed),
            CheckState::warning);
}

TEST(CheckState, AHostRoutingElsewhereIsCritical) {
  EXPECT_EQ(check_state({host("a", HostResult::failed), host("b", HostResult::would_update, true)},
                        ExitCode::host_failed),
            CheckState::critical);
  EXPECT_EQ(check_state({host("a", HostResult::refused)}, ExitCode::host_failed),
            CheckState::critical)
      << "a host fenced off holds a fragment of another primary";
}

TEST(CheckState, UnsafeMetadataIsCriticalOtherErrorsUnknown) {
  EXPECT_EQ(check_state({}, ExitCode::safety_refusal), CheckState::critical);
  for (const ExitCode code : {ExitCode::usage, ExitCode::metadata, ExitCode::lock_busy,
                              ExitCode::interrupted, ExitCode::internal}) {
    EXPECT_EQ(check_state({}, code), CheckState::unknown) << static_cast<int>(code);
  }
}

TEST(CheckStatusLine, OkWithPerformanceData) {
  EXPECT_EQ(check_status_line({host("a", HostResult::unchanged), host("b", HostResult::unchanged)},
                              ExitCode::ok, "", 412ms),
            "PGDEPLOY OK - 2 app servers current | current=2;;;0;2 drifting=0;;;0;2 "
            "failed=0;;;0;2 time=0.412s;;;0");
}

TEST(CheckStatusLine, NamesTheHostsOfEachProblem) {
  EXPECT_EQ(check_status_line({host("a", HostResult::would_update, true),
                               host("b", HostResult::would_update), host("c", HostResult::failed),
                               host("d", HostResult::refused), host("e", HostResult::unchanged)},
                              ExitCode::host_failed, "", 1234ms),
            "PGDEPLOY CRITICAL - elsewhere: a, d; drifting: b; unreadable: c | current=1;;;0;5 "
            "drifting=3;;;0;5 failed=1;;;0;5 time=1.234s;;;0");
}

TEST(CheckStatusLine, AFragmentPgBouncerDoesNotIncludeIsCriticalAndNamedApart) {
  HostOutcome unserved = host("a", HostResult::failed);
  unserved.unserved = true;
  const std::vector<HostOutcome> outcomes{unserved, host("b", HostResult::failed)};
  EXPECT_EQ(check_state(outcomes, ExitCode::host_failed), CheckState::critical)
      << "PgBouncer routes its clients by something else";
  EXPECT_EQ(check_status_line(outcomes, ExitCode::host_failed, "", 10ms),
            "PGDEPLOY CRITICAL - not included by PgBouncer: a; unreadable: b | current=0;;;0;2 "
            "drifting=0;;;0;2 failed=2;;;0;2 time=0.010s;;;0");
}

TEST(CheckStatusLine, ARunThatEndedEarlySaysWhy) {
  EXPECT_EQ(check_status_line({}, ExitCode::metadata, "cannot connect to the database", 5ms),
            "PGDEPLOY UNKNOWN - cannot connect to the database | time=0.005s;;;0");
  EXPECT_EQ(check_status_line({}, ExitCode::safety_refusal, "2 active primaries", 5ms),
            "PGDEPLOY CRITICAL - 2 active primaries | time=0.005s;;;0");
}

}  // namespace
}  // namespace pgdeploy
