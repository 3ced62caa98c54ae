#include "pgdeploy/planning.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes.hpp"

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
  state.epoch = {1, "0/3000148"};
  state.databases = std::move(databases);
  return state;
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

}  // namespace
}  // namespace pgdeploy
