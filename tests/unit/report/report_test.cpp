#include "report/report.hpp"

#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

using namespace std::chrono_literals;

HostOutcome updated(const std::string& name) {
  return {name, "10.0.0.5", HostResult::updated, "", 12ms, {}};
}

HostOutcome failed(const std::string& name, const std::string& reason) {
  return {name, "10.0.0.6", HostResult::failed, reason, 7ms, {}};
}

DeployPlan plan() {
  return {"main",
          {1, "node1", "host=10.0.0.11"},
          {"10.0.0.11", 5432},
          {2, "0/3000060", "7301"},
          {"app"}};
}

TEST(Describe, UpdatedHostWithDuration) {
  EXPECT_EQ(describe(updated("app1")), "app1 (10.0.0.5): updated in 12 ms");
}

TEST(Describe, FailedHostWithReason) {
  EXPECT_EQ(describe(failed("app2", "connect: connection refused")),
            "app2 (10.0.0.6): FAILED after 7 ms: connect: connection refused");
}

TEST(Summarize, CountsUpdatedAndFailed) {
  EXPECT_EQ(summarize(plan(), {updated("a"), failed("b", "auth: denied"), updated("c")}),
            "cluster main: primary node 1 (node1) at 10.0.0.11:5432, timeline 2; 3 app servers: "
            "2 updated, 1 failed");
}

TEST(Summarize, NoHosts) {
  EXPECT_EQ(summarize(plan(), {}),
            "cluster main: primary node 1 (node1) at 10.0.0.11:5432, timeline 2; 0 app servers: "
            "0 updated, 0 failed");
}

HostOutcome refused(const std::string& name) {
  return {name, "10.0.0.7", HostResult::refused, "fencing: held by node 2 on timeline 4", 3ms, {}};
}

TEST(Summarize, CountsRefusedHosts) {
  EXPECT_EQ(summarize(plan(), {updated("a"), refused("b")}),
            "cluster main: primary node 1 (node1) at 10.0.0.11:5432, timeline 2; 2 app servers: "
            "1 updated, 0 failed, 1 refused");
}

TEST(Describe, RefusedHostWithReason) {
  EXPECT_EQ(describe(refused("app3")),
            "app3 (10.0.0.7): REFUSED after 3 ms: fencing: held by node 2 on timeline 4");
}

TEST(ExitCodeFor, AnyRefusalIsSafetyRefusalEvenWithFailures) {
  EXPECT_EQ(exit_code_for({updated("a"), failed("b", "connect: x"), refused("c")}),
            ExitCode::safety_refusal);
}

TEST(ExitCodeFor, AllUpdatedIsOk) {
  EXPECT_EQ(exit_code_for({updated("a"), updated("b")}), ExitCode::ok);
}

TEST(ExitCodeFor, AnyFailedIsHostFailed) {
  EXPECT_EQ(exit_code_for({updated("a"), failed("b", "write: x")}), ExitCode::host_failed);
  EXPECT_EQ(exit_code_for({failed("a", "write: x")}), ExitCode::host_failed);
}

TEST(ExitCodeFor, NoHostsIsOk) { EXPECT_EQ(exit_code_for({}), ExitCode::ok); }

TEST(ExitCodes, HaveTheDocumentedValues) {
  EXPECT_EQ(static_cast<int>(ExitCode::ok), 0);
  EXPECT_EQ(static_cast<int>(ExitCode::host_failed), 1);
  EXPECT_EQ(static_cast<int>(ExitCode::usage), 2);
  EXPECT_EQ(static_cast<int>(ExitCode::metadata), 3);
  EXPECT_EQ(static_cast<int>(ExitCode::safety_refusal), 4);
}

// Only a deploy could have pushed anything.
TEST(BeforeAnyHost, ADeploySaysNothingWasPushed) {
  EXPECT_EQ(before_any_host("no active primary in repmgr.nodes", Mode::deploy),
            "no active primary in repmgr.nodes; nothing was pushed");
}

TEST(BeforeAnyHost, DryRunAndCheckDoNotClaimAPushTheyNeverMake) {
  for (const Mode mode : {Mode::dry_run, Mode::check}) {
    EXPECT_EQ(before_any_host("no active primary in repmgr.nodes", mode),
              "no active primary in repmgr.nodes");
  }
}

}  // namespace
}  // namespace pgdeploy
