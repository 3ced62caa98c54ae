#include "pgbouncer/pgbouncer_switch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "support/fakes.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {
namespace {

using test::CapturedLog;
using test::FakeAdminConnector;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

DeployPlan plan_to_new_primary(Sessions sessions, bool pause = false) {
  return {"main",
          {2, "node2", "host=10.0.0.12"},
          {"10.0.0.12", 5432},
          {2, "0/5000060", "7301"},
          {"app", "Reports.2024"},
          true,
          sessions,
          pause};
}

std::vector<RoutedDatabase> routed_to(const std::string& host) {
  return {{"app", host, 5432, "app"}, {"Reports.2024", host, 5432, "Reports.2024"}};
}

class SwitchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin.databases_before_reload = routed_to("10.0.0.11");
    admin.databases = routed_to("10.0.0.12");
  }
  void run(const DeployPlan& plan) {
    const FragmentInput input{plan.cluster,
                              plan.primary.id,
                              plan.primary.name,
                              plan.target,
                              plan.epoch,
                              plan.databases,
                              ""};
    switch_pgbouncer(*admin.connect("x", deadline), plan, routes_of(input), deadline, "app1");
  }

  FakeAdminConnector admin;
  HostDeadline deadline{TimeLimits{}};
};

TEST_F(SwitchTest, ReconnectsEveryDatabaseThatMovedWithQuotedNames) {
  run(plan_to_new_primary(Sessions::reconnect));
  EXPECT_THAT(admin.commands, ElementsAre("RECONNECT \"Reports.2024\"", "RECONNECT \"app\""));
  EXPECT_EQ(admin.reloads, 1);
}

TEST_F(SwitchTest, EveryKillIsFollowedByTheResumeOfItsDatabase) {
  run(plan_to_new_primary(Sessions::kill));
  EXPECT_THAT(admin.commands, ElementsAre("KILL \"Reports.2024\"", "RESUME \"Reports.2024\"",
                                          "KILL \"app\"", "RESUME \"app\""))
      << "a database stays paused no longer than it must";
  EXPECT_EQ(admin.batches, 1) << "in one batch: one round trip to a console over SSH";
}

TEST_F(SwitchTest, VerifiesReadOnlyRoutesToo) {
  DeployPlan plan = plan_to_new_primary(Sessions::reconnect);
  const FragmentInput input{plan.cluster,
                            plan.primary.id,
                            plan.primary.name,
                            plan.target,
                            plan.epoch,
                            plan.databases,
                            "",
                            ReadOnlyRoute{"_ro", {"10.0.0.13", 5432}}};
  admin.databases.push_back({"app_ro", "10.0.0.13", 5432, "app"});
  EXPECT_THROW(
      switch_pgbouncer(*admin.connect("x", deadline), plan, routes_of(input), deadline, "app1"),
      HostError)
      << "Reports.2024_ro is missing";
  admin.databases.push_back({"Reports.2024_ro", "10.0.0.13", 5432, "Reports.2024"});
  EXPECT_NO_THROW(
      switch_pgbouncer(*admin.connect("x", deadline), plan, routes_of(input), deadline, "app1"));
}

TEST_F(SwitchTest, KeepTouchesNoSession) {
  run(plan_to_new_primary(Sessions::keep));
  EXPECT_THAT(admin.commands, IsEmpty());
  EXPECT_EQ(admin.show_databases, 1) << "only the verification";
}

TEST_F(SwitchTest, DatabasesAlreadyThereDoNotMove) {
  admin.databases_before_reload = admin.databases;
  run(plan_to_new_primary(Sessions::reconnect));
  EXPECT_THAT(admin.commands, IsEmpty());
}

TEST_F(SwitchTest, NewDatabasesHaveNoSessionsToMove) {
  admin.databases_before_reload = std::vector<RoutedDatabase>{};
  run(plan_to_new_primary(Sessions::kill));
  EXPECT_THAT(admin.commands, IsEmpty());
}

TEST_F(SwitchTest, PauseWrapsReloadAndReconnect) {
  run(plan_to_new_primary(Sessions::reconnect, true));
  const std::vector<std::string> expected{"SHOW DATABASES",    "PAUSE \"Reports.2024\"",
                                          "PAUSE \"app\"",     "RELOAD",
                                          "SHOW DATABASES",    "RECONNECT \"Reports.2024\"",
                                          "RECONNECT \"app\"", "RESUME \"Reports.2024\"",
                                          "RESUME \"app\""};
  const std::vector<std::string> journal(admin.journal->begin() + 1, admin.journal->end());
  EXPECT_EQ(journal, expected) << "after connecting; the first SHOW DATABASES finds what moves";
}

TEST_F(SwitchTest, FailedVerificationStillResumesWhatWasPaused) {
  admin.databases = routed_to("10.0.0.11");  // RELOAD did not take
  EXPECT_THROW(run(plan_to_new_primary(Sessions::reconnect, true)), HostError);
  EXPECT_THAT(admin.commands, ElementsAre("PAUSE \"Reports.2024\"", "PAUSE \"app\"",
                                          "RESUME \"Reports.2024\"", "RESUME \"app\""));
}

TEST_F(SwitchTest, RefusedPauseIsAWarningAndTheSwitchGoesOn) {
  admin.failing_command = "PAUSE \"app";  // PgBouncer answers "bad arguments" for long names
  const CapturedLog log;
  EXPECT_NO_THROW(run(plan_to_new_primary(Sessions::reconnect, true)));
  EXPECT_EQ(admin.reloads, 1);
  EXPECT_THAT(admin.commands,
              ElementsAre("PAUSE \"Reports.2024\"", "PAUSE \"app\"", "RECONNECT \"Reports.2024\"",
                          "RECONNECT \"app\"", "RESUME \"Reports.2024\""))
      << "only what was paused is resumed";
  EXPECT_THAT(log.text(), HasSubstr("warning app1: admin console: PAUSE of database app failed: "
                                    "PAUSE \"app\" failed; its queries are not held"));
}

TEST_F(SwitchTest, RefusedReconnectIsAWarningNotARollback) {
  admin.failing_command = "RECONNECT \"Reports";
  const CapturedLog log;
  EXPECT_NO_THROW(run(plan_to_new_primary(Sessions::reconnect)));
  EXPECT_THAT(admin.commands, ElementsAre("RECONNECT \"Reports.2024\"", "RECONNECT \"app\""))
      << "the other databases still move";
  EXPECT_THAT(log.text(), HasSubstr("warning app1: admin console: RECONNECT of database "
                                    "Reports.2024 failed"));
  EXPECT_THAT(log.text(), HasSubstr("its sessions stay on the old server until they disconnect"));
}

TEST_F(SwitchTest, RefusedKillIsAWarningAndItsResumeIsNotRetried) {
  admin.failing_command = "KILL \"app";
  const CapturedLog log;
  EXPECT_NO_THROW(run(plan_to_new_primary(Sessions::kill)));
  EXPECT_THAT(admin.commands, ElementsAre("KILL \"Reports.2024\"", "RESUME \"Reports.2024\"",
                                          "KILL \"app\"", "RESUME \"app\""));
  EXPECT_THAT(log.text(), HasSubstr("warning app1: admin console: KILL of database app failed"));
  EXPECT_THAT(log.text(), Not(HasSubstr("RESUME of database")));
}

TEST_F(SwitchTest, ResumeRefusedAfterARefusedKillIsNotRetried) {
  admin.failing_command = "";  // every command: KILL and its RESUME ("not paused")
  const CapturedLog log;
  EXPECT_NO_THROW(run(plan_to_new_primary(Sessions::kill)));
  EXPECT_EQ(admin.commands.size(), 4U) << "nothing was paused, so nothing is resumed again";
  EXPECT_THAT(log.text(), Not(HasSubstr("PAUSED")));
}

TEST_F(SwitchTest, PausedAndKilledDatabasesAreResumedOnce) {
  run(plan_to_new_primary(Sessions::kill, true));
  EXPECT_THAT(admin.commands,
              ElementsAre("PAUSE \"Reports.2024\"", "PAUSE \"app\"", "KILL \"Reports.2024\"",
                          "RESUME \"Reports.2024\"", "KILL \"app\"", "RESUME \"app\""));
}

TEST_F(SwitchTest, FailedResumeIsTriedAgain) {
  admin.failing_command = "RESUME \"app";
  admin.failing_times = 2;
  const CapturedLog log;
  run(plan_to_new_primary(Sessions::kill));
  EXPECT_THAT(admin.commands,
              ElementsAre("KILL \"Reports.2024\"", "RESUME \"Reports.2024\"", "KILL \"app\"",
                          "RESUME \"app\"", "RESUME \"app\"", "RESUME \"app\""));
  EXPECT_THAT(log.text(), Not(HasSubstr("PAUSED")));
}

TEST_F(SwitchTest, ResumeThatKeepsFailingTellsTheOperatorWhatToDo) {
  admin.failing_command = "RESUME \"app";
  const CapturedLog log;
  EXPECT_NO_THROW(run(plan_to_new_primary(Sessions::kill)));
  EXPECT_EQ(std::count(admin.commands.begin(), admin.commands.end(), "RESUME \"app\""), 3)
      << "the batch's RESUME counts as the first of the three";
  EXPECT_THAT(log.text(),
              HasSubstr("error app1: admin console: RESUME of database app failed 3 times "
                        "(RESUME \"app\" failed); it stays PAUSED and its clients wait: run "
                        "RESUME \"app\" on PgBouncer's admin console of app1"));
}

TEST_F(SwitchTest, FailedReloadStillRollsBackAndResumes) {
  admin.fail_reload("connection lost");
  EXPECT_THROW(run(plan_to_new_primary(Sessions::reconnect, true)), HostError);
  EXPECT_THAT(admin.commands, ElementsAre("PAUSE \"Reports.2024\"", "PAUSE \"app\"",
                                          "RESUME \"Reports.2024\"", "RESUME \"app\""));
}

TEST_F(SwitchTest, ByDefaultWritesThatMovedAreKilledAndResumedReadOnlyRoutesReconnected) {
  DeployPlan plan = plan_to_new_primary(Sessions::automatic);
  const std::vector<Route> routes{{"app", "app", {"10.0.0.12", 5432}},
                                  {"app_ro", "app", {"10.0.0.13", 5432}}};
  admin.databases_before_reload = std::vector<RoutedDatabase>{{"app", "10.0.0.11", 5432, "app"},
                                                              {"app_ro", "10.0.0.14", 5432, "app"}};
  admin.databases = {{"app", "10.0.0.12", 5432, "app"}, {"app_ro", "10.0.0.13", 5432, "app"}};
  switch_pgbouncer(*admin.connect("x", deadline), plan, routes, deadline, "app1");
  EXPECT_THAT(admin.commands,
              ElementsAre("KILL \"app\"", "RESUME \"app\"", "RECONNECT \"app_ro\""));
}

// ---- move_sessions_once_served: hosts reloaded by command, the console reached over SSH ----

class OnceServedTest : public SwitchTest {
 protected:
  bool move(std::chrono::milliseconds patience) {
    const DeployPlan plan = plan_to_new_primary(Sessions::automatic);
    const std::vector<Route> routes{{"app", "app", plan.target},
                                    {"Reports.2024", "Reports.2024", plan.target}};
    admin.reloads = 1;  // the reload command ran: SHOW DATABASES answers with `databases`
    return move_sessions_once_served(*admin.connect("x", deadline), plan, routes, routes, "app1",
                                     patience);
  }
};

TEST_F(OnceServedTest, MovesTheSessionsOncePgBouncerServesTheRoutes) {
  EXPECT_TRUE(move(std::chrono::milliseconds(1000)));
  EXPECT_THAT(admin.commands, ElementsAre("KILL \"app\"", "RESUME \"app\"", "KILL \"Reports.2024\"",
                                          "RESUME \"Reports.2024\""));
  EXPECT_EQ(admin.batches, 1);
}

TEST_F(OnceServedTest, MovesNothingWhilePgBouncerServesTheOldRoutes) {
  admin.databases = routed_to("10.0.0.11");
  EXPECT_FALSE(move(std::chrono::milliseconds(0)));
  EXPECT_THAT(admin.commands, IsEmpty());
  EXPECT_GE(admin.show_databases, 1);
}

TEST_F(OnceServedTest, RefusedKillIsAWarning) {
  admin.failing_command = "KILL \"app";
  const CapturedLog log;
  EXPECT_TRUE(move(std::chrono::milliseconds(1000)));
  EXPECT_THAT(log.text(), HasSubstr("warning app1: admin console: KILL of database app failed"));
}

}  // namespace
}  // namespace pgdeploy
