#include "doctor/hook_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

TEST(HookCommand, DocumentedLinePasses) {
  EXPECT_EQ(hook_command_problem("/usr/bin/pgdeploy -c main -f /etc/repmgr.conf --event=%e "
                                 "--node-id=%n --success=%s",
                                 "main"),
            std::nullopt);
}

TEST(HookCommand, OtherSpellingsPass) {
  EXPECT_EQ(hook_command_problem("pgdeploy --cluster main --event %e --success '%s'", "main"),
            std::nullopt);
  EXPECT_EQ(
      hook_command_problem("pgdeploy -cmain --event=%e --success=%s >>/var/log/x 2>&1", "main"),
      std::nullopt);
  EXPECT_EQ(hook_command_problem("pgdeploy --cluster=main --event=%e --success=%s", "main"),
            std::nullopt);
}

TEST(HookCommand, UnsetIsAProblem) {
  EXPECT_THAT(hook_command_problem(std::nullopt, "main"), Optional(HasSubstr("not set")));
  EXPECT_THAT(hook_command_problem("  ", "main"), Optional(HasSubstr("not set")));
}

TEST(HookCommand, NamesEachMissingPart) {
  const auto problem = hook_command_problem("/usr/local/bin/other-script %e %s", "main");
  ASSERT_TRUE(problem);
  EXPECT_THAT(*problem, HasSubstr("the pgdeploy program"));
  EXPECT_THAT(*problem, HasSubstr("--event=%e"));
  EXPECT_THAT(*problem, HasSubstr("--success=%s"));
  EXPECT_THAT(*problem, HasSubstr("-c main"));
}

TEST(HookCommand, AnotherClusterIsAProblem) {
  EXPECT_THAT(hook_command_problem("pgdeploy -c other --event=%e --success=%s", "main"),
              Optional(HasSubstr("-c main")));
}

TEST(HookCommand, MissingSuccessIsNamedAlone) {
  const auto problem = hook_command_problem("pgdeploy -c main --event=%e", "main");
  ASSERT_TRUE(problem);
  EXPECT_THAT(*problem, HasSubstr("--success=%s"));
  EXPECT_THAT(*problem, Not(HasSubstr("--event")));
}

TEST(EventNotifications, UnsetOrEmptyMeansEveryEvent) {
  EXPECT_EQ(event_notifications_problem(std::nullopt), std::nullopt);
  EXPECT_EQ(event_notifications_problem(""), std::nullopt);
}

TEST(EventNotifications, ListWithTheFailoverEventsPasses) {
  EXPECT_EQ(event_notifications_problem(
                "standby_promote, repmgrd_failover_promote,standby_switchover,node_rejoin"),
            std::nullopt);
}

TEST(EventNotifications, NamesTheMissingEvents) {
  const auto problem = event_notifications_problem("standby_promote,node_rejoin");
  ASSERT_TRUE(problem);
  EXPECT_THAT(*problem, HasSubstr("repmgrd_failover_promote"));
  EXPECT_THAT(*problem, HasSubstr("standby_switchover"));
  EXPECT_THAT(*problem, Not(HasSubstr("standby_promote,")));
}

TEST(PromoteDelay, WithoutServicePromoteCommandTheHookWaitsForTheCheckInterval) {
  RepmgrConfig config;
  config.data_directory = "/var/lib/postgresql/15/main";
  const auto problem = promote_delay_problem(config);
  ASSERT_TRUE(problem);
  EXPECT_THAT(*problem, HasSubstr("promote_check_interval"));
  EXPECT_THAT(promote_command_fix(config),
              HasSubstr("service_promote_command='pg_ctl -w -D /var/lib/postgresql/15/main "
                        "promote'"));
}

TEST(PromoteDelay, ServicePromoteCommandPasses) {
  RepmgrConfig config;
  config.service_promote_command = "pg_ctlcluster 15 main promote";
  EXPECT_EQ(promote_delay_problem(config), std::nullopt);
  config.service_promote_command = "  ";
  EXPECT_TRUE(promote_delay_problem(config)) << "blank is not set";
}

TEST(PromoteDelay, FixNamesAPlaceholderWithoutDataDirectory) {
  EXPECT_THAT(promote_command_fix(RepmgrConfig{}), HasSubstr("-D DATA_DIRECTORY promote"));
}

}  // namespace
}  // namespace pgdeploy
