#include "agent/agent_ack.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pgdeploy {
namespace {

using nlohmann::json;

TEST(AckRecord, TheJsonReadersOfTheAcknowledgementExpect) {
  AckRecord ack;
  ack.epoch = Epoch{3, "0/5000060", "7301234567890123456"};
  ack.primary_id = 2;
  ack.revision = 42;
  ack.result = AgentResult::updated;
  ack.time = std::chrono::system_clock::time_point(std::chrono::seconds(1790000000));
  EXPECT_EQ(json::parse(ack_json(ack)), json::parse(R"({
    "epoch": {"system_identifier": "7301234567890123456", "timeline": 3, "lsn": "0/5000060",
              "primary_id": 2},
    "revision": 42, "result": "updated", "reason": "", "time": "2026-09-21T14:13:20Z"})"));
}

TEST(AckRecord, AStateThatCouldNotBeReadHasNoEpoch) {
  AckRecord ack;
  ack.revision = 7;
  ack.reason = "/pgdeploy/main/epoch is not a JSON object pgdeploy wrote";
  const json value = json::parse(ack_json(ack));
  EXPECT_TRUE(value["epoch"].is_null());
  EXPECT_EQ(value["result"], "failed");
  EXPECT_EQ(value["reason"], ack.reason);
}

AckRecord applied() {
  AckRecord ack;
  ack.epoch = Epoch{3, "0/5000060", "7301234567890123456"};
  ack.primary_id = 2;
  ack.revision = 42;
  ack.result = AgentResult::updated;
  return ack;
}

TEST(AckRecordRepeats, ARereadThatFindsTheStateInPlaceSaysNothingNew) {
  AckRecord reread = applied();
  reread.result = AgentResult::unchanged;
  reread.time = std::chrono::system_clock::now();
  EXPECT_TRUE(repeats(applied(), reread));
  EXPECT_TRUE(repeats(reread, reread));
}

TEST(AckRecordRepeats, AnotherEpochPrimaryResultOrReasonIsNews) {
  AckRecord changed = applied();
  changed.epoch->timeline = 4;
  EXPECT_FALSE(repeats(applied(), changed));
  changed = applied();
  changed.epoch->lsn = "0/6000000";
  EXPECT_FALSE(repeats(applied(), changed));
  changed = applied();
  changed.primary_id = 3;
  EXPECT_FALSE(repeats(applied(), changed));
  changed = applied();
  changed.result = AgentResult::failed;
  changed.reason = "reload: PgBouncer did not load the fragment";
  EXPECT_FALSE(repeats(applied(), changed));
  AckRecord failed_again = changed;
  failed_again.reason = "reload: another reason";
  EXPECT_FALSE(repeats(changed, failed_again));
  changed = applied();
  changed.epoch.reset();
  EXPECT_FALSE(repeats(applied(), changed));
}

TEST(AckRecordRepeats, AStateOfAnotherRevisionOrAnUpdateIsNews) {
  AckRecord unchanged = applied();
  unchanged.result = AgentResult::unchanged;
  AckRecord later = unchanged;
  later.revision = 57;  // a publish that changed only the routes: the same epoch
  EXPECT_FALSE(repeats(unchanged, later));
  EXPECT_FALSE(repeats(applied(), applied()));  // the local file was repaired
}

TEST(AckRecordRepeats, AFailureAfterwardsFoundUnchangedIsNews) {
  AckRecord failed = applied();
  failed.result = AgentResult::failed;
  AckRecord unchanged = applied();
  unchanged.result = AgentResult::unchanged;
  EXPECT_FALSE(repeats(failed, unchanged));
  EXPECT_FALSE(repeats(unchanged, applied()));
}

TEST(AckRecord, ResultNames) {
  EXPECT_STREQ(result_name(AgentResult::unchanged), "unchanged");
  EXPECT_STREQ(result_name(AgentResult::refused), "refused");
}

}  // namespace
}  // namespace pgdeploy
