#include "util/deadline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/host_deployer.hpp"
#include "deploy/host_inspector.hpp"
#include "model/app_server.hpp"
#include "ssh/remote_install.hpp"
#include "support/fakes.hpp"

namespace pgdeploy {
namespace {

using namespace std::chrono_literals;
using test::FakeAdminConnector;
using test::FakeClock;
using test::FakeHostConnector;
using ::testing::HasSubstr;

// -t 2 s, --host-timeout 5 s, --run-timeout 60 s, on a clock the test turns.
TimeLimits limits_on(FakeClock& clock) {
  TimeLimits limits;
  limits.operation = 2s;
  limits.host = 5s;
  limits.run = 60s;
  limits.now = clock.reader();
  limits.run_started = clock.now;
  return limits;
}

std::string reason_of(const HostError& error) { return error.step() + ": " + error.what(); }

TEST(TimeLimits, HostDefaultIsAMultipleOfTheOperationTimeout) {
  Options options;
  options.timeout_seconds = 3;
  EXPECT_EQ(limits_for(options).operation, 3s);
  EXPECT_EQ(limits_for(options).host, 15s);
  EXPECT_EQ(limits_for(options).run, 60s);
  options.host_timeout_seconds = 7;
  options.run_timeout_seconds = 20;
  EXPECT_EQ(limits_for(options).host, 7s);
  EXPECT_EQ(limits_for(options).run, 20s);
}

TEST(TimeLimits, RunSecondsLeftRoundUpAndStopAtZero) {
  FakeClock clock;
  const TimeLimits limits = limits_on(clock);
  clock.now += 58500ms;
  EXPECT_EQ(limits.run_seconds_left(), 2);
  EXPECT_FALSE(limits.run_expired());
  clock.now += 2s;
  EXPECT_EQ(limits.run_seconds_left(), 0);
  EXPECT_TRUE(limits.run_expired());
}

TEST(HostDeadline, EachWaitIsTheOperationTimeoutUntilLessIsLeft) {
  FakeClock clock;
  const HostDeadline deadline(limits_on(clock));
  EXPECT_EQ(deadline.wait_ms(), 2000);
  clock.now += 3500ms;
  EXPECT_EQ(deadline.wait_ms(), 1500) << "min(-t, time left)";
  clock.now += 1500ms;
  EXPECT_EQ(deadline.wait_ms(), 1) << "never 0, which libssh takes as do not wait";
  EXPECT_TRUE(deadline.expired());
}

TEST(HostDeadline, TimeoutNamesTheStepInProgress) {
  FakeClock clock;
  HostDeadline deadline(limits_on(clock));
  deadline.begin("reload");
  EXPECT_NO_THROW(deadline.check());
  clock.now += 5s;
  try {
    deadline.check();
    FAIL() << "no timeout";
  } catch (const HostError& e) {
    EXPECT_EQ(reason_of(e), "timeout: reload did not finish within the host deadline of 5 s");
  }
}

TEST(HostDeadline, IsClippedToTheRunDeadlineAndSaysSo) {
  FakeClock clock;
  TimeLimits limits = limits_on(clock);
  limits.run = 7s;
  clock.now += 4s;  // the host starts 4 s into the run: 3 s left, less than its 5 s
  HostDeadline deadline(limits);
  deadline.begin("auth");
  clock.now += 2999ms;
  EXPECT_FALSE(deadline.expired());
  clock.now += 1ms;
  EXPECT_EQ(reason_of(deadline.timeout()),
            "timeout: auth did not finish within the run deadline of 7 s");
}

TEST(HostDeadline, AFailureBeforeTheDeadlineKeepsItsOwnStep) {
  FakeClock clock;
  HostDeadline deadline(limits_on(clock));
  deadline.begin("install");
  clock.now += 2s;
  EXPECT_EQ(reason_of(deadline.failure("read", deadline.no_answer())),
            "read: no answer within 2 s");
  clock.now += 3s;
  EXPECT_EQ(reason_of(deadline.failure("read", "connection lost")),
            "timeout: install did not finish within the host deadline of 5 s");
}

TEST(HostDeadline, FractionsOfSecondsArePrinted) {
  FakeClock clock;
  TimeLimits limits = limits_on(clock);
  limits.host = 1250ms;
  EXPECT_THAT(HostDeadline(limits).timeout().what(), HasSubstr("host deadline of 1.25 s"));
}

TEST(HostDeadline, ALiftLetsCleanupsRunForTheOperationTimeout) {
  FakeClock clock;
  HostDeadline deadline(limits_on(clock));
  clock.now += 6s;
  {
    const HostDeadline::Lift lift(deadline);
    EXPECT_FALSE(deadline.expired());
    EXPECT_EQ(deadline.wait_ms(), 2000);
  }
  EXPECT_TRUE(deadline.expired());
}

// A host whose every operation takes LATENCY: each stays within -t, the host as a whole may not.
class SlowHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host.name = "app1";
    host.address = "10.0.0.5";
    host.reload_command = "systemctl reload pgbouncer";
    ssh.installer_awaits_verdict();
  }
  void each_operation_takes(std::chrono::milliseconds latency) {
    ssh.latency = {&clock, latency};
    admin.latency = {&clock, latency};
  }
  HostOutcome deploy() { return HostDeployer(plan, ssh, admin, limits_on(clock)).deploy(host); }

  FakeClock clock;
  DeployPlan plan{"main",
                  {1, "node1", "host=10.0.0.11"},
                  {"10.0.0.11", 5432},
                  {3, "0/5000060", "7301"},
                  {"app"},
                  true};
  AppServer host;
  FakeHostConnector ssh;
  FakeAdminConnector admin;
};

TEST_F(SlowHostTest, FastEnoughOperationsFinish) {
  each_operation_takes(500ms);
  EXPECT_EQ(deploy().result, HostResult::updated);
}

TEST_F(SlowHostTest, InstallerThatDoesNotAnswerInTimeFailsTheInstall) {
  each_operation_takes(1500ms);  // connect 1.5, exec 3, write 4.5, the answer would come at 6
  const Clock::time_point started = clock.now;
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason, "timeout: install did not finish within the host deadline of 5 s");
  EXPECT_EQ(clock.now - started, 5s) << "cut at the deadline, not at the answer";
}

TEST_F(SlowHostTest, ReloadCommandAnnouncedByTheInstallerIsNamed) {
  ssh.installer.stdout_lines = {"reloading", "installed"};
  // connect 1.1, exec 2.2, write 3.3, "reloading" 4.4, "installed" would come at 5.5
  each_operation_takes(1100ms);
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.reason, "timeout: reload did not finish within the host deadline of 5 s");
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_FALSE(ssh.commands[0]->input.ends_with(commit_line))
      << "no commit: the installer rolls back";
}

TEST_F(SlowHostTest, ConsoleVerificationPastTheDeadlineIsNamed) {
  host.reload_command.reset();
  host.admin_conninfo = "host=10.0.0.5 port=6432";
  admin.databases = {{"app", "10.0.0.11", 5432, "app"}};
  plan.sessions = Sessions::keep;
  // console 0.8, ssh 1.6, exec 2.4, write 3.2, "installed" 4.0, RELOAD 4.8, SHOW DATABASES 5.6
  each_operation_takes(800ms);
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.reason, "timeout: verify did not finish within the host deadline of 5 s");
}

TEST_F(SlowHostTest, ASingleWaitLongerThanTheOperationTimeoutIsNoDeadlineTimeout) {
  each_operation_takes(2500ms);
  EXPECT_EQ(deploy().reason, "connect: no answer within 2 s");
}

TEST_F(SlowHostTest, PausedDatabasesAreResumedEvenPastTheDeadline) {
  host.reload_command.reset();
  host.admin_conninfo = "host=10.0.0.5 port=6432";
  admin.databases_before_reload = {{"app", "10.0.0.12", 5432, "app"}};
  admin.databases = {{"app", "10.0.0.11", 5432, "app"}};
  plan.pause = true;
  // console 0.9, ssh 1.8, exec 2.7, write 3.6, "installed" 4.5, SHOW DATABASES 5.4: too late
  each_operation_takes(900ms);
  const HostOutcome outcome = deploy();
  EXPECT_THAT(outcome.reason, HasSubstr("timeout: "));
  const auto paused = std::count(admin.commands.begin(), admin.commands.end(), "PAUSE \"app\"");
  const auto resumed = std::count(admin.commands.begin(), admin.commands.end(), "RESUME \"app\"");
  EXPECT_EQ(resumed, paused);
}

TEST_F(SlowHostTest, InspectionIsBoundedToo) {
  each_operation_takes(1500ms);  // connect 1.5, exec 3, read 4.5, the rest would come at 6
  ssh.installer.stdout_lines = {"present", "; fragment"};
  const HostOutcome outcome = HostInspector(plan, ssh, limits_on(clock)).inspect(host);
  EXPECT_EQ(outcome.reason, "timeout: read did not finish within the host deadline of 5 s");
}

}  // namespace
}  // namespace pgdeploy
