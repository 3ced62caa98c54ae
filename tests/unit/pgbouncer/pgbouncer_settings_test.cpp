#include "pgbouncer/pgbouncer_settings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

std::vector<std::string> names(const std::vector<SettingAdvice>& advice) {
  std::vector<std::string> result;
  for (const SettingAdvice& setting : advice) {
    result.push_back(setting.name + "=" + setting.value + "->" + setting.recommended);
  }
  return result;
}

TEST(FailoverSettingAdvice, PgBouncersDefaultsAllSlowAFailover) {
  EXPECT_THAT(names(failover_setting_advice("[pgbouncer]\nlisten_port = 6432\n")),
              ::testing::ElementsAre("server_login_retry=15->1", "server_connect_timeout=15->3",
                                     "query_wait_timeout=120->30", "server_fast_close=0->1"));
}

TEST(FailoverSettingAdvice, GoodValuesInThePgbouncerSectionPass) {
  EXPECT_THAT(failover_setting_advice("[databases]\nserver_login_retry = 99\n[pgbouncer]\n"
                                      "server_login_retry = 1\nserver_connect_timeout=3\n"
                                      "query_wait_timeout = 20 ; comment-free values only\n"
                                      "query_wait_timeout = 20\nserver_fast_close = 1\n"),
              ::testing::IsEmpty());
}

TEST(FailoverSettingAdvice, TheLastValueWinsZeroWaitsForeverAndTransactionPoolingNeedsNoFastClose) {
  EXPECT_THAT(names(failover_setting_advice("[pgbouncer]\nserver_login_retry = 1\n"
                                            "server_connect_timeout = 3\nquery_wait_timeout = 0\n"
                                            "pool_mode = transaction\nserver_login_retry = 30\n")),
              ::testing::ElementsAre("server_login_retry=30->1", "query_wait_timeout=0->30"));
}

}  // namespace
}  // namespace pgdeploy
