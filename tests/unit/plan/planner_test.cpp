#include "plan/planner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "model/app_server.hpp"
#include "support/fakes.hpp"
#include "support/scoped_home.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

using test::CapturedLog;
using test::occurrences;
using test::ScopedHome;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
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

TEST(PlanFor, RoutesEveryDatabaseByDefault) {
  EXPECT_THAT(plan_for(Options{}, cluster_with({"appdb", "postgres", "repmgr"})).databases,
              ElementsAre("appdb", "postgres", "repmgr"));
}

TEST(PlanFor, LeavesOutTheExcludedDatabasesAndWarnsAboutNamesNoDatabaseHas) {
  Options options;
  options.exclude_databases = {"postgres", "postgress"};
  const CapturedLog log;
  EXPECT_THAT(plan_for(options, cluster_with({"appdb", "postgres", "repmgr"})).databases,
              ElementsAre("appdb", "repmgr"));
  EXPECT_THAT(log.text(),
              HasSubstr("warning --exclude-databases: there is no database postgress\n"));
  EXPECT_THAT(log.text(), Not(HasSubstr("no database postgres\n")));
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

TEST(PlanFor, TakesThePrimaryItsEndpointAndEpochFromTheMetadata) {
  Options options;
  options.cluster = "main";
  const DeployPlan plan = plan_for(options, cluster_with({"appdb", "postgres"}));
  EXPECT_EQ(plan.cluster, "main");
  EXPECT_EQ(plan.primary.name, "node1");
  EXPECT_EQ(plan.target, (Endpoint{"10.0.0.11", 5432}));
  EXPECT_EQ(plan.epoch.lsn, "0/3000148");
  EXPECT_THAT(plan.databases, ElementsAre("appdb", "postgres"));
  EXPECT_TRUE(plan.fence);
}

TEST(PlanFor, LeavesOutDatabasesPgBouncerCannotRouteWithAWarning) {
  const CapturedLog log;
  const DeployPlan plan = plan_for(Options{}, cluster_with({"appdb", "with space", "pgbouncer"}));
  EXPECT_THAT(plan.databases, ElementsAre("appdb"));
  EXPECT_THAT(log.text(), HasSubstr("warning database \"with space\" left out: PgBouncer cannot "
                                    "route a database of that name\n"));
  EXPECT_EQ(occurrences(log.text(), "left out"), 2U);
}

TEST(PlanFor, ForceTurnsTheFenceOffAndSaysSo) {
  Options options;
  options.force = true;
  const CapturedLog log;
  EXPECT_FALSE(plan_for(options, cluster_with({"appdb"})).fence);
  EXPECT_THAT(log.text(), HasSubstr("warning --force: NOT checking the timelines"));
}

TEST(PlanFor, AnInvalidReadOnlySuffixIsAUsageError) {
  Options options;
  options.ro_suffix = "bad suffix";
  try {
    plan_for(options, cluster_with({"appdb"}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("--ro-suffix must be"));
  }
}

// plan_for reads no secret, whatever the options: status and doctor plan with it.
TEST(PlanFor, AddsNoExtraFilesEvenWhenTheyAreSynced) {
  const ScopedHome home;  // no ~/.pgpass
  Options options;
  options.sync_userlist = "/etc/pgbouncer/userlist.txt";
  options.sync_pgpass = true;
  ClusterState state = cluster_with({"appdb"});
  state.userlist = "\"app\" \"md5abc\"\n";
  EXPECT_THAT(plan_for(options, state).extras, IsEmpty());
}

TEST(AddExtraFiles, AddsTheUserlistReadFromTheMetadataAndTheLocalPgpass) {
  const ScopedHome home;
  std::ofstream(home.path() / ".pgpass") << "*:*:*:app:secret\n";
  Options options;
  options.sync_userlist = "/etc/pgbouncer/userlist.txt";
  options.sync_pgpass = true;
  ClusterState state = cluster_with({"appdb"});
  state.userlist = "\"app\" \"md5abc\"\n";
  DeployPlan plan = plan_for(options, state);
  add_extra_files(plan, options, state);
  ASSERT_EQ(plan.extras.size(), 2U);
  EXPECT_EQ(plan.extras[0].label, "userlist");
  EXPECT_EQ(plan.extras[0].directory, "/etc/pgbouncer");
  EXPECT_EQ(plan.extras[0].name, "userlist.txt");
  EXPECT_EQ(plan.extras[0].content, state.userlist);
  EXPECT_EQ(plan.extras[1].label, "pgpass");
  EXPECT_TRUE(plan.extras[1].in_home);
  EXPECT_EQ(plan.extras[1].content, "*:*:*:app:secret\n");
}

TEST(AddExtraFiles, AMissingPgpassIsAUsageError) {
  const ScopedHome home;
  Options options;
  options.sync_pgpass = true;
  DeployPlan plan = plan_for(options, cluster_with({"appdb"}));
  try {
    add_extra_files(plan, options, cluster_with({"appdb"}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("--sync-pgpass file"));
  }
}

TEST(AddExtraFiles, AddsNothingWithoutTheOptions) {
  const ScopedHome home;
  DeployPlan plan = plan_for(Options{}, cluster_with({"appdb"}));
  add_extra_files(plan, Options{}, cluster_with({"appdb"}));
  EXPECT_THAT(plan.extras, IsEmpty());
}

TEST(EnabledServers, LeavesTheDisabledOnesAlone) {
  ClusterState state = cluster_with({"appdb"});
  state.app_servers = {app_server("web1", ""), app_server("web2", ""), app_server("web3", "")};
  state.app_servers[1].enabled = false;
  const CapturedLog log;
  std::vector<std::string> names;
  for (const AppServer& server : enabled_servers(state)) {
    names.push_back(server.name);
  }
  EXPECT_THAT(names, ElementsAre("web1", "web3"));
  EXPECT_THAT(log.text(), HasSubstr("debug web2 (10.0.1.21): disabled, left alone\n"));
}

}  // namespace
}  // namespace pgdeploy
