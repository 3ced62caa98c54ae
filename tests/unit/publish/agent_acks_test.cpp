#include "publish/agent_acks.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/samples.hpp"

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;

DeployPlan sample_plan(int node = 2, int timeline = 3) {
  DeployPlan plan = test::plan_on(node, "10.0.0.12", timeline);
  plan.epoch.system_identifier = "7301234567890123456";
  return plan;
}

std::string ack_value(int node, int timeline, const std::string& result,
                      const std::string& reason = "",
                      const std::string& system = "7301234567890123456") {
  return R"({"epoch": {"system_identifier": ")" + system + R"(", "timeline": )" +
         std::to_string(timeline) + R"(, "lsn": "0/7000000", "primary_id": )" +
         std::to_string(node) + R"(}, "revision": 42, "result": ")" + result + R"(", "reason": ")" +
         reason + R"(", "time": "2026-11-28T18:00:00Z"})";
}

TEST(AgentAcks, ParsesEveryField) {
  const AgentAck ack = parse_agent_ack(ack_value(2, 3, "updated"));
  EXPECT_EQ(ack.problem, "");
  EXPECT_EQ(ack.system_identifier, "7301234567890123456");
  EXPECT_EQ(ack.timeline, 3);
  EXPECT_EQ(ack.lsn, "0/7000000");
  EXPECT_EQ(ack.primary_id, 2);
  EXPECT_EQ(ack.revision, 42);
  EXPECT_EQ(ack.result, "updated");
  EXPECT_EQ(ack.time, "2026-11-28T18:00:00Z");
}

TEST(AgentAcks, ReadsANumericSystemIdentifier) {
  const AgentAck ack = parse_agent_ack(
      R"({"epoch": {"system_identifier": 7301234567890123456, "timeline": 3, "primary_id": 2},)"
      R"( "result": "unchanged"})");
  EXPECT_EQ(ack.problem, "");
  EXPECT_EQ(ack.system_identifier, "7301234567890123456");
}

TEST(AgentAcks, ValuesThatAreNoAcknowledgementSayWhy) {
  EXPECT_EQ(parse_agent_ack("not json").problem, "not a JSON object");
  EXPECT_EQ(parse_agent_ack(R"({"result": "updated"})").problem,
            "not an acknowledgement (epoch, result)");
  EXPECT_EQ(parse_agent_ack(ack_value(2, 3, "maybe")).problem, "unknown result maybe");
}

TEST(AgentAcks, AcknowledgesTheSameEpochWhateverTheLsn) {
  const DeployPlan plan = sample_plan();
  EXPECT_TRUE(acknowledges(parse_agent_ack(ack_value(2, 3, "updated")), plan));
  EXPECT_FALSE(acknowledges(parse_agent_ack(ack_value(1, 3, "updated")), plan));
  EXPECT_FALSE(acknowledges(parse_agent_ack(ack_value(2, 2, "updated")), plan));
  EXPECT_FALSE(acknowledges(parse_agent_ack(ack_value(2, 3, "updated", "", "42")), plan));
  EXPECT_FALSE(acknowledges(parse_agent_ack("{}"), plan));
}

TEST(AgentAcks, AnAcknowledgementOfAnEarlierPublishOfTheSameEpochDoesNotCount) {
  const DeployPlan plan = sample_plan();
  const AgentAck ack = parse_agent_ack(ack_value(2, 3, "updated"));  // revision 42
  EXPECT_TRUE(acknowledges(ack, plan, 42));
  EXPECT_FALSE(acknowledges(ack, plan, 43));
  const HostOutcome before = agent_outcome(test::app1(), ack, plan, 43, std::chrono::seconds(5));
  EXPECT_EQ(before.result, HostResult::failed);
  EXPECT_THAT(before.reason, HasSubstr("at revision 43 or later within 5 s"));
}

TEST(AgentAcks, CurrentOnlyWhenUpdatedOrUnchanged) {
  const DeployPlan plan = sample_plan();
  EXPECT_TRUE(ack_current(parse_agent_ack(ack_value(2, 3, "updated")), plan));
  EXPECT_TRUE(ack_current(parse_agent_ack(ack_value(2, 3, "unchanged")), plan));
  EXPECT_FALSE(ack_current(parse_agent_ack(ack_value(2, 3, "failed", "reload")), plan));
  EXPECT_FALSE(ack_current(parse_agent_ack(ack_value(2, 3, "refused", "newer")), plan));
}

TEST(AgentAcks, OutcomeFollowsTheAcknowledgement) {
  const DeployPlan plan = sample_plan();
  const AppServer agent = test::app1();
  const std::chrono::seconds waited{5};
  EXPECT_EQ(
      agent_outcome(agent, parse_agent_ack(ack_value(2, 3, "updated")), plan, 40, waited).result,
      HostResult::updated);
  EXPECT_EQ(
      agent_outcome(agent, parse_agent_ack(ack_value(2, 3, "unchanged")), plan, 40, waited).result,
      HostResult::unchanged);
  const HostOutcome refused = agent_outcome(
      agent, parse_agent_ack(ack_value(2, 3, "refused", "newer epoch")), plan, 40, waited);
  EXPECT_EQ(refused.result, HostResult::refused);
  EXPECT_EQ(refused.reason, "agent: refused: newer epoch");
  const HostOutcome failed =
      agent_outcome(agent, parse_agent_ack(ack_value(2, 3, "failed", "reload")), plan, 40, waited);
  EXPECT_EQ(failed.result, HostResult::failed);
  EXPECT_EQ(failed.reason, "agent: failed: reload");
}

TEST(AgentAcks, MissingOrOlderAcknowledgementFailsNamingTheWait) {
  const DeployPlan plan = sample_plan();
  const HostOutcome none =
      agent_outcome(test::app1(), std::nullopt, plan, 40, std::chrono::seconds(5));
  EXPECT_EQ(none.result, HostResult::failed);
  EXPECT_EQ(none.reason, "agent: no acknowledgement within 5 s");
  const HostOutcome older = agent_outcome(test::app1(), parse_agent_ack(ack_value(1, 2, "updated")),
                                          plan, 40, std::chrono::seconds(5));
  EXPECT_EQ(older.result, HostResult::failed);
  EXPECT_THAT(
      older.reason,
      HasSubstr("no acknowledgement of timeline 3 of node 2 at revision 40 or later within 5 s"));
  EXPECT_THAT(older.reason, HasSubstr("the last one: node 1, timeline 2, updated"));
}

}  // namespace
}  // namespace pgdeploy
