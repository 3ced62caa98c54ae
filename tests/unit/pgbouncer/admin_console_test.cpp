#include "pgbouncer/admin_console.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/host_error.hpp"

namespace pgdeploy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(RoutedDatabases, ReadsTheColumnsByNameWhereverTheyAre) {
  const ConsoleRows rows{{"name", "port", "database", "host", "pool_size"},
                         {"app", "5433", "app", "10.0.0.12", "20"},
                         {"pgbouncer", "6432", "pgbouncer", "", "2"}};
  EXPECT_THAT(routed_databases(rows),
              ElementsAre(RoutedDatabase{"app", "10.0.0.12", 5433, "app"},
                          RoutedDatabase{"pgbouncer", "", 6432, "pgbouncer"}));
}

TEST(RoutedDatabases, LeavesOutARowCutByANewlineAndFailsWithoutAColumn) {
  EXPECT_THAT(routed_databases({{"name", "host", "port", "database"}, {"a"}, {"b\nc"}}), IsEmpty());
  try {
    routed_databases({{"name", "host", "database"}});
    FAIL() << "no port column";
  } catch (const HostError& e) {
    EXPECT_EQ(e.step(), "admin console");
    EXPECT_STREQ(e.what(), "SHOW DATABASES has no column port");
  }
  EXPECT_THROW(routed_databases({}), HostError) << "an empty answer has no header";
}

TEST(ServerConnections, OneEntryPerServerConnectionWithWhereItGoes) {
  const ConsoleRows rows{{"type", "user", "database", "state", "addr", "port", "local_addr"},
                         {"S", "app", "appdb", "active", "127.0.0.1", "5433", "127.0.0.1"},
                         {"S", "app", "appdb", "idle", "127.0.0.1", "5432", "127.0.0.1"}};
  EXPECT_THAT(server_connections(rows), ElementsAre(ServerConnection{"appdb", "127.0.0.1", 5433},
                                                    ServerConnection{"appdb", "127.0.0.1", 5432}));
  try {
    server_connections({{"type", "database", "port"}});
    FAIL() << "no addr column";
  } catch (const HostError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("SHOW SERVERS has no column addr"));
  }
}

}  // namespace
}  // namespace pgdeploy
