#include "cli/events.hpp"

#include <gtest/gtest.h>

#include "util/errors.hpp"

namespace pgdeploy {
namespace {

EventOptions event(const char* name, const char* success = "1") {
  EventOptions options;
  options.event.emplace(name);
  options.success.emplace(success);
  return options;
}

class MovingEvent : public ::testing::TestWithParam<const char*> {};

TEST_P(MovingEvent, Deploys) {
  EXPECT_TRUE(event_moves_writes(GetParam()));
  EXPECT_EQ(decide_for_event(event(GetParam())), EventDecision::deploy);
}

TEST_P(MovingEvent, FailedEventDeploysNothing) {
  EXPECT_EQ(decide_for_event(event(GetParam(), "0")), EventDecision::failed);
}

INSTANTIATE_TEST_SUITE_P(Events, MovingEvent,
                         ::testing::Values("standby_promote", "repmgrd_failover_promote",
                                           "standby_switchover", "node_rejoin", "standby_follow",
                                           "repmgrd_failover_follow", "primary_register"));

class OtherEvent : public ::testing::TestWithParam<const char*> {};

TEST_P(OtherEvent, IsIrrelevantWhateverItsSuccess) {
  EXPECT_FALSE(event_moves_writes(GetParam()));
  EXPECT_EQ(decide_for_event(event(GetParam())), EventDecision::irrelevant);
  EXPECT_EQ(decide_for_event(event(GetParam(), "0")), EventDecision::irrelevant);
}

INSTANTIATE_TEST_SUITE_P(Events, OtherEvent,
                         ::testing::Values("standby_register", "standby_clone", "repmgrd_start",
                                           "standby_unregister", "child_node_disconnect",
                                           "STANDBY_PROMOTE", "standby_promote ", ""));

TEST(DecideForEvent, NoEventAlwaysDeploys) {
  EventOptions none;
  none.success = "0";
  EXPECT_EQ(decide_for_event(none), EventDecision::deploy);
}

TEST(DecideForEvent, MissingSuccessDeploys) {
  EventOptions promote;
  promote.event = "standby_promote";
  EXPECT_EQ(decide_for_event(promote), EventDecision::deploy);
}

TEST(DecideForEvent, InvalidSuccessIsUsageError) {
  try {
    decide_for_event(event("standby_promote", "yes"));
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
  }
}

}  // namespace
}  // namespace pgdeploy
