#include "metadata/read_cluster.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fakes.hpp"
#include "support/samples.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

using test::FakeDatabase;
using test::FakeServers;
using test::query_result;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* local = "host=local dbname=repmgr";
constexpr const char* primary = "host=10.0.0.11 port=5432 user=repmgr dbname=repmgr";

// The local node holds the metadata and the roles; the primary it names is another server.
class ReadClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::answer_repmgr_metadata(metadata, primary, {{"app1", "10.0.0.5", {}}});
    metadata.answer("pg_shadow",
                    query_result({"usename", "passwd"}, {{"app", "SCRAM-SHA-256$4096:abc"}}));
    servers.add(primary);
    options.sync_userlist = "/etc/pgbouncer/userlist.txt";
  }

  ClusterState read(Secrets secrets) {
    return read_cluster(options, local, servers.opener(), secrets);
  }

  Options options;
  FakeServers servers;
  FakeDatabase& metadata = servers.add(local);
};

TEST_F(ReadClusterTest, EveryConnectionGoesThroughTheOpener) {
  const ClusterState state = read(Secrets::skip);
  EXPECT_THAT(servers.opened(), ElementsAre(local, primary));
  EXPECT_EQ(state.primary.name, "node1");
  EXPECT_EQ(state.primary_endpoint, (Endpoint{"10.0.0.11", 5432}));
  EXPECT_EQ(state.epoch.timeline, 10);
  ASSERT_EQ(state.app_servers.size(), 1U);
  EXPECT_EQ(state.app_servers[0].name, "app1");
}

TEST_F(ReadClusterTest, SkippedSecretsAreNeverAskedFor) {
  const ClusterState state = read(Secrets::skip);
  EXPECT_THAT(state.userlist, IsEmpty());
  EXPECT_THAT(metadata.queries_containing("pg_shadow"), IsEmpty());
}

TEST_F(ReadClusterTest, ADeployReadsTheUserlistItSyncs) {
  const ClusterState state = read(Secrets::read);
  EXPECT_EQ(metadata.queries_containing("pg_shadow").size(), 1U);
  EXPECT_EQ(state.userlist, "\"app\" \"SCRAM-SHA-256$4096:abc\"\n");
}

TEST_F(ReadClusterTest, WithoutSyncUserlistNoSecretIsReadEvenForADeploy) {
  options.sync_userlist.reset();
  EXPECT_THAT(read(Secrets::read).userlist, IsEmpty());
  EXPECT_THAT(metadata.queries_containing("pg_shadow"), IsEmpty());
}

TEST_F(ReadClusterTest, AnUnreachablePrimaryIsAMetadataError) {
  FakeServers only_local;
  test::answer_repmgr_metadata(only_local.add(local), primary, {});
  try {
    read_cluster(options, local, only_local.opener(), Secrets::skip);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  }
}

}  // namespace
}  // namespace pgdeploy
