#include "doctor/doctor_metadata.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/checks.hpp"
#include "support/fakes.hpp"
#include "support/samples.hpp"

namespace pgdeploy {
namespace {

using test::FakeDatabase;
using test::FakeServers;
using test::marks;
using test::query_result;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* local = "host=local dbname=repmgr";
constexpr const char* primary = test::ReadOnlyWorld::primary;

// The metadata as doctor checks it; the options ask for every secret a deploy would read.
class DoctorMetadataTest : public ::testing::Test {
 protected:
  MetadataFindings check() { return check_metadata(options, local, servers.opener()); }

  test::ReadOnlyWorld world{{{"app1", "10.0.0.5", {}}, {"app2", "10.0.0.6", {}, false}}};
  Options& options = world.options;
  FakeServers& servers = world.servers;
  FakeDatabase& metadata = world.metadata;

  // The rendered line of ITEM, "[PASS] metadata: ITEM: detail".
  static std::string line_of(const MetadataFindings& found, const std::string& item) {
    for (const std::string& line : split_lines(render_checklist("main", found.items))) {
      if (line.find("metadata: " + item) != std::string::npos) {
        return line;
      }
    }
    return "(no item " + item + ")";
  }

  static std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      lines.push_back(text.substr(start, end - start));
    }
    return lines;
  }
};

TEST_F(DoctorMetadataTest, HealthyMetadataPassesEveryItemAndNamesWhatItFound) {
  const MetadataFindings found = check();
  EXPECT_THAT(marks(found.items),
              ElementsAre("PASS database reachable", "PASS repmgr metadata found",
                          "PASS app_servers columns valid", "PASS exactly one active primary",
                          "PASS primary reachable and not in recovery"));
  EXPECT_EQ(line_of(found, "repmgr metadata found"),
            "[PASS] metadata: repmgr metadata found: repmgr 4/5, table repmgr.nodes");
  EXPECT_EQ(line_of(found, "app_servers columns valid"),
            "[PASS] metadata: app_servers columns valid: 2 rows, 1 enabled");
  EXPECT_EQ(line_of(found, "primary reachable"),
            "[PASS] metadata: primary reachable and not in recovery: 10.0.0.12:5432, timeline 10");
  ASSERT_EQ(found.app_servers.size(), 2U);
  EXPECT_EQ(found.app_servers[1].name, "app2");
  EXPECT_THAT(metadata.queries_containing("pg_shadow"), IsEmpty());
}

TEST_F(DoctorMetadataTest, AnUnreachableDatabaseSkipsTheRest) {
  const MetadataFindings found =
      check_metadata(options, "host=elsewhere dbname=repmgr", servers.opener());
  EXPECT_THAT(marks(found.items),
              ElementsAre("FAIL database reachable", "skip repmgr metadata found",
                          "skip app_servers columns valid", "skip exactly one active primary",
                          "skip primary reachable and not in recovery"));
  EXPECT_THAT(found.app_servers, IsEmpty());
}

TEST_F(DoctorMetadataTest, APrimaryInRecoveryMeansStaleMetadata) {
  servers.add(primary, true);
  const MetadataFindings found = check();
  EXPECT_EQ(marks(found.items).back(), "FAIL primary reachable and not in recovery");
  EXPECT_THAT(found.items.back().fix, HasSubstr("repmgr's metadata is stale"));
}

TEST_F(DoctorMetadataTest, TwoActivePrimariesSkipTheirCheck) {
  metadata.answer_for_param(
      "WHERE active AND type = $1", "primary",
      query_result({"id", "name", "conninfo"}, {{"1", "node1", primary}, {"2", "node2", primary}}));
  const MetadataFindings found = check();
  EXPECT_THAT(marks(found.items),
              ElementsAre("PASS database reachable", "PASS repmgr metadata found",
                          "PASS app_servers columns valid", "FAIL exactly one active primary",
                          "skip primary reachable and not in recovery"));
  EXPECT_EQ(servers.opened(), std::vector<std::string>{local});
}

TEST_F(DoctorMetadataTest, MissingAppServersFailsThatItemOnly) {
  metadata.answer_for_param("to_regclass", R"("repmgr"."app_servers")",
                            query_result({"?column?"}, {{"f"}}));
  const MetadataFindings found = check();
  EXPECT_THAT(marks(found.items),
              ElementsAre("PASS database reachable", "PASS repmgr metadata found",
                          "FAIL app_servers columns valid", "PASS exactly one active primary",
                          "PASS primary reachable and not in recovery"));
  EXPECT_THAT(found.app_servers, IsEmpty());
}

TEST_F(DoctorMetadataTest, PublicNetWithoutItsTableFailsThatItem) {
  options.public_net = true;
  const MetadataFindings found = check();
  EXPECT_EQ(marks(found.items).back(), "FAIL node_public_info row of the primary");
  EXPECT_THAT(found.items.back().fix, HasSubstr("INSERT INTO repmgr.node_public_info"));
}

}  // namespace
}  // namespace pgdeploy
