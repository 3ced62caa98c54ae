#include "deploy/deploy_memo.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "model/app_server.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;

DeployPlan plan() {
  return {"main", {2, "node2", "host=h"}, {"10.0.0.12", 5432}, {3, "0/1", "7301"}, {"app"}, true};
}

std::vector<AppServer> hosts() {
  AppServer host;
  host.name = "app1";
  host.address = "10.0.1.1";
  return {host};
}

TEST(DeployFingerprint, IgnoresTheLsnButNothingADeploySends) {
  const std::string base = deploy_fingerprint(plan(), hosts());
  EXPECT_EQ(base.size(), 16U);
  DeployPlan later_lsn = plan();
  later_lsn.epoch.lsn = "0/9";
  EXPECT_EQ(deploy_fingerprint(later_lsn, hosts()), base);
  DeployPlan newer = plan();
  newer.epoch.timeline = 4;
  EXPECT_NE(deploy_fingerprint(newer, hosts()), base);
  DeployPlan more = plan();
  more.databases.push_back("crm");
  EXPECT_NE(deploy_fingerprint(more, hosts()), base);
  std::vector<AppServer> moved = hosts();
  moved[0].config_dir = "/srv/pgbouncer";
  EXPECT_NE(deploy_fingerprint(plan(), moved), base);
  // Texts are separated: "ab" + "c" is not "a" + "bc".
  std::vector<AppServer> shifted = hosts();
  shifted[0].name = "app11";
  shifted[0].address = "0.0.1.1";
  EXPECT_NE(deploy_fingerprint(plan(), shifted), base);
}

class DeployMemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-memo-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    path = dir / "main.deployed";
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
  fs::path path;
};

TEST_F(DeployMemoTest, RemembersTheLastFingerprintForAWhile) {
  EXPECT_FALSE(recently_deployed(path, "00000000000000aa", std::chrono::seconds(60)));
  remember_deploy(path, "00000000000000aa");
  EXPECT_TRUE(recently_deployed(path, "00000000000000aa", std::chrono::seconds(60)));
  EXPECT_FALSE(recently_deployed(path, "00000000000000bb", std::chrono::seconds(60)));
  EXPECT_FALSE(recently_deployed(path, "00000000000000aa", std::chrono::seconds(0)));
  forget_deploy(path);
  EXPECT_FALSE(recently_deployed(path, "00000000000000aa", std::chrono::seconds(60)));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 0);
}

TEST_F(DeployMemoTest, AnOldOrDamagedRecordCountsForNothing) {
  std::ofstream(path) << "00000000000000aa 1000\n";
  EXPECT_FALSE(recently_deployed(path, "00000000000000aa", std::chrono::seconds(60)));
  std::ofstream(path, std::ios::trunc) << "garbage";
  EXPECT_FALSE(recently_deployed(path, "garbage", std::chrono::seconds(60)));
}

}  // namespace
}  // namespace pgdeploy
