#include "plan/planner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fakes.hpp"

namespace pgdeploy {
namespace {

using test::CapturedLog;
using test::occurrences;
using ::testing::HasSubstr;
using ::testing::Not;

ClusterState cluster_with(std::vector<std::string> databases) {
  ClusterState state;
  state.primary = {1, "node1", "host=10.0.0.11"};
  state.primary_endpoint = {"10.0.0.11", 5432};
  state.epoch = {1, "0/3000148", "7301"};
  state.databases = std::move(databases);
  return state;
}

AppServer app_server(const std::string& name, const std::string& application_name) {
  AppServer server;
  server.name = name;
  server.address = "10.0.1.21";
  server.application_name = application_name;
  return server;
}

TEST(PlanFor, WarnsOnceAboutEachReadOnlyKeyThatIsARealDatabase) {
  Options options;
  options.ro_suffix = "_ro";
  const CapturedLog log;
  plan_for(options, cluster_with({"appdb", "appdb_ro", "crm"}));
  EXPECT_EQ(occurrences(log.text(),
                        "warning --ro-suffix: no read-only line appdb_ro for appdb: "
                        "a database named appdb_ro exists and keeps its key\n"),
            1U);
  EXPECT_EQ(occurrences(log.text(), "no read-only line"), 1U);
}

TEST(PlanFor, NoReadOnlyWarningWithoutTheOption) {
  const CapturedLog log;
  plan_for(Options{}, cluster_with({"appdb", "appdb_ro"}));
  EXPECT_THAT(log.text(), Not(HasSubstr("read-only")));
}

TEST(EnabledServers, WarnsAboutApplicationNamesPostgresCuts) {
  ClusterState state = cluster_with({"appdb"});
  state.app_servers = {app_server("web1", std::string(62, 'a') + "\xc3\xa9"),
                       app_server("web2", std::string(63, 'a')), app_server("web3", "")};
  const CapturedLog log;
  EXPECT_EQ(enabled_servers(state).size(), 3U);
  EXPECT_THAT(log.text(), HasSubstr("warning web1 (10.0.1.21): application_name is 64 bytes, "
                                    "PostgreSQL keeps 63: the fragment has its first 62; shorten "
                                    "it in app_servers\n"));
  EXPECT_EQ(occurrences(log.text(), "application_name"), 1U);
}

}  // namespace
}  // namespace pgdeploy
