#include "pgdeploy/pgbouncer_switch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes.hpp"

namespace pgdeploy {
namespace {

using test::FakeAdminConnector;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

DeployPlan plan_to_new_primary(Sessions sessions, bool pause = false) {
  return {"main", {2, "node2", "host=10.0.0.12"}, {"10.0.0.12", 5432}, {2, "0/5000060", "7301"},
          {"app", "Reports.2024"}, true, sessions, pause};
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
    const FragmentInput input{plan.cluster, plan.primary.id, plan.primary.name, plan.target,
                              plan.epoch,   plan.databases,  ""};
    switch_pgbouncer(*admin.connect("x", deadline), plan, routes_of(input), deadline);
  }

  FakeAdminConnector admin;
  HostDeadline deadline{TimeLimits{}};
};

TEST_F(SwitchTest, ReconnectsEveryDatabaseThatMovedWithQuotedNames) {
  run(plan_to_new_primary(Sessions::reconnect));
  EXPECT_THAT(admin.commands, ElementsAre("RECONNECT \"Reports.2024\"", "RECONNECT \"app\""));
  EXPECT_EQ(admin.reloads, 1);
}

TEST_F(SwitchTest, KillsThenResumes) {
  run(plan_to_new_primary(Sessions::kill));
  // Each database is resumed right after its KILL: paused no longer than it must be.
  EXPECT_THAT(admin.commands, ElementsAre("KILL \"Reports.2024\"", "RESUME \"Reports.2024\"",
                                          "KILL \"app\"", "RESUME \"app\""));
}

TEST_F(SwitchTest, VerifiesReadOnlyRoutesToo) {
  DeployPlan plan = plan_to_new_primary(Sessions::reconnect);
  const FragmentInput input{plan.cluster, plan.primary.id, plan.primary.name, plan.target,
                            plan.epoch,   plan.databases,  "", ReadOnlyRoute{"_ro", {"10.0.0.13", 5432}}};
  admin.databases.push_back({"app_ro", "10.0.0.13", 5432, "app"});
  EXPECT_THROW(switch_pgbouncer(*admin.connect("x", deadline), plan, routes_of(input), deadline),
               HostError)
      << "Reports.2024_ro is missing";
  admin.databases.push_back({"Reports.2024_ro", "10.0.0.13", 5432, "Reports.2024"});
  EXPECT_NO_THROW(
      switch_pgbouncer(*admin.connect("x", deadline), plan, routes_of(input), deadline));
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
  const std::vector<std::string> expected{
      "SHOW DATABASES", "PAUSE \"Reports.2024\"",     "PAUSE \"app\"",
      "RELOAD",         "SHOW DATABASES",             "RECONNECT \"Reports.2024\"",
      "RECONNECT \"app\"", "RESUME \"Reports.2024\"", "RESUME \"app\""};
  const std::vector<std::string> journal(admin.journal->begin() + 1, admin.journal->end());
  EXPECT_EQ(journal, expected) << "after connecting; the first SHOW DATABASES finds what moves";
}

TEST_F(SwitchTest, FailedVerificationStillResumesWhatWasPaused) {
  admin.databases = routed_to("10.0.0.11");  // RELOAD did not take
  EXPECT_THROW(run(plan_to_new_primary(Sessions::reconnect, true)), HostError);
  EXPECT_THAT(admin.commands, ElementsAre("PAUSE \"Reports.2024\"", "PAUSE \"app\"",
                                          "RESUME \"Reports.2024\"", "RESUME \"app\""));
}

// Moving sessions is best effort: a PAUSE the console refuses never keeps the route back.
TEST_F(SwitchTest, FailedPauseStillSwitchesAndResumesOnlyWhatWasPaused) {
  admin.failing_command = "PAUSE \"app";
  EXPECT_NO_THROW(run(plan_to_new_primary(Sessions::reconnect, true)));
  EXPECT_THAT(admin.commands,
              ElementsAre("PAUSE \"Reports.2024\"", "PAUSE \"app\"", "RECONNECT \"Reports.2024\"",
                          "RECONNECT \"app\"", "RESUME \"Reports.2024\""));
  EXPECT_EQ(admin.reloads, 1);
}

TEST_F(SwitchTest, ByDefaultWritesThatMovedAreKilledAndResumedReadOnlyRoutesReconnected) {
  DeployPlan plan = plan_to_new_primary(Sessions::automatic);
  const std::vector<Route> routes{{"app", "app", {"10.0.0.12", 5432}},
                                  {"app_ro", "app", {"10.0.0.13", 5432}}};
  admin.databases_before_reload = std::vector<RoutedDatabase>{
      {"app", "10.0.0.11", 5432, "app"}, {"app_ro", "10.0.0.14", 5432, "app"}};
  admin.databases = {{"app", "10.0.0.12", 5432, "app"}, {"app_ro", "10.0.0.13", 5432, "app"}};
  switch_pgbouncer(*admin.connect("x", deadline), plan, routes, deadline);
  EXPECT_THAT(admin.commands,
              ElementsAre("KILL \"app\"", "RESUME \"app\"", "RECONNECT \"app_ro\""));
}

}  // namespace
}  // namespace pgdeploy
