#include "metadata/userlist.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fakes.hpp"

namespace pgdeploy {
namespace {

using test::FakeDatabase;
using test::query_result;

TEST(UserlistFrom, QuotesNamesAndHashesAndLeavesOutUnwritableRoles) {
  FakeDatabase db;
  db.answer("pg_shadow", query_result({"usename", "passwd"}, {{"app", "SCRAM-SHA-256$4096:abc"},
                                                              {"say \"hi\"", "md5deadbeef"},
                                                              {"bad\nname", "md5x"}}));
  EXPECT_EQ(userlist_from(db),
            "\"app\" \"SCRAM-SHA-256$4096:abc\"\n\"say \"\"hi\"\"\" \"md5deadbeef\"\n");
  EXPECT_THAT(db.queries().at(0).sql, ::testing::HasSubstr("passwd IS NOT NULL"));
}

}  // namespace
}  // namespace pgdeploy
