#include "metadata/primary_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fakes.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

using test::FakeDatabase;
using test::query_result;
using ::testing::HasSubstr;
using ::testing::Not;

// Fake nodes by conninfo; opening an unknown conninfo fails like an unreachable server.
class PrimaryCheckTest : public ::testing::Test {
 protected:
  FakeDatabase& node(const std::string& conninfo, bool recovery) {
    return servers.add(conninfo, recovery);
  }

  static void streams_from(FakeDatabase& db, const std::string& host, const std::string& port) {
    db.answer("pg_stat_wal_receiver", query_result({"sender_host", "sender_port"}, {{host, port}}));
  }

  DatabaseOpener opener() { return servers.opener(); }
  std::vector<std::string> opened() const { return servers.opened(); }

  test::FakeServers servers;
};

TEST_F(PrimaryCheckTest, WritableLocalNodeIsUsedDirectly) {
  node("host=local dbname=repmgr", false);
  open_writable_node("host=local dbname=repmgr", opener());
  EXPECT_EQ(opened(), std::vector<std::string>{"host=local dbname=repmgr"});
}

TEST_F(PrimaryCheckTest, StandbyReadsMetadataOnItsUpstreamWithItsOwnLogin) {
  streams_from(node("host=local user=repmgr dbname=repmgr", true), "10.0.0.2", "5433");
  node("dbname='repmgr' host='10.0.0.2' port='5433' user='repmgr'", false);
  open_writable_node("host=local user=repmgr dbname=repmgr", opener());
  ASSERT_EQ(opened().size(), 2U);
  EXPECT_EQ(opened()[1], "dbname='repmgr' host='10.0.0.2' port='5433' user='repmgr'");
}

TEST_F(PrimaryCheckTest, FollowsCascadingStandbys) {
  streams_from(node("host=a", true), "b", "5432");
  streams_from(node("host='b' port='5432'", true), "c", "5432");
  node("host='c' port='5432'", false);
  open_writable_node("host=a", opener());
  EXPECT_EQ(opened().size(), 3U);
}

TEST_F(PrimaryCheckTest, ALocalNodeThatCannotBeReachedEndsWithTheHint) {
  try {
    open_writable_node("host=local", opener(), "check -p");
    FAIL() << "expected a metadata error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
    EXPECT_STREQ(e.what(), "cannot connect: host=local (check -p)");
  }
}

TEST_F(PrimaryCheckTest, AnUpstreamThatCannotBeReachedHasNoLocalHint) {
  streams_from(node("host=a", true), "b", "5432");
  try {
    open_writable_node("host=a", opener(), "check -p");
    FAIL() << "expected a metadata error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("check -p"), std::string::npos) << e.what();
  }
}

TEST_F(PrimaryCheckTest, StandbyWithoutUpstreamIsMetadataError) {
  node("host=local", true);
  try {
    open_writable_node("host=local", opener());
    FAIL() << "expected a metadata error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
    EXPECT_THAT(e.what(), HasSubstr("streams from no upstream"));
  }
}

TEST_F(PrimaryCheckTest, ReplicationLoopEndsWithMetadataError) {
  streams_from(node("host=a", true), "a", "1");
  streams_from(node("host='a' port='1'", true), "a", "1");
  try {
    open_writable_node("host=a", opener());
    FAIL() << "expected a metadata error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  }
}

TEST_F(PrimaryCheckTest, WritablePrimaryGivesItsEpochWithTheHexTimeline) {
  node("host=db2 dbname=repmgr", false);
  const Epoch epoch = check_primary({2, "node2", "host=db2 dbname=repmgr"}, opener()).epoch;
  EXPECT_EQ(epoch.timeline, 10);
  EXPECT_EQ(epoch.lsn, "0/5000060");
}

TEST_F(PrimaryCheckTest, EndpointIsWhereTheCheckingConnectionWent) {
  // No port in repmgr's conninfo: libpq took it from PGPORT (or a service file).
  node("host=db2 dbname=repmgr", false).connected_settings = {
      {"host", "db2"}, {"port", "6543"}, {"dbname", "repmgr"}};
  EXPECT_EQ(check_primary({2, "node2", "host=db2 dbname=repmgr"}, opener()).endpoint,
            (Endpoint{"db2", 6543}));
}

TEST_F(PrimaryCheckTest, EndpointPrefersTheHostaddrConnectedTo) {
  node("service=main", false).connected_settings = {
      {"host", "db2.example"}, {"hostaddr", "10.0.0.12"}, {"port", "5433"}};
  EXPECT_EQ(check_primary({2, "node2", "service=main"}, opener()).endpoint,
            (Endpoint{"10.0.0.12", 5433}));
}

TEST_F(PrimaryCheckTest, PrimaryReachedThroughUnixSocketIsMetadataError) {
  node("dbname=repmgr password=s3cret", false).connected_settings = {
      {"host", "/var/run/postgresql"}, {"port", "5432"}, {"password", "s3cret"}};
  try {
    check_primary({2, "node2", "dbname=repmgr password=s3cret"}, opener());
    FAIL() << "expected a metadata error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
    EXPECT_THAT(e.what(), HasSubstr("node 2 (node2)"));
    EXPECT_THAT(e.what(), HasSubstr("Unix socket"));
    EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
  }
}

TEST_F(PrimaryCheckTest, PrimaryWithSeveralHostsIsMetadataError) {
  node("host=a,b", false);
  EXPECT_THROW(check_primary({2, "node2", "host=a,b"}, opener()), Error);
}

TEST_F(PrimaryCheckTest, UnreadableTimelineIsMetadataError) {
  node("host=db2", false)
      .answer("pg_walfile_name",
              query_result({"timeline", "lsn", "system"}, {{"zz", "0/1", "7301"}}));
  try {
    check_primary({2, "node2", "host=db2"}, opener());
    FAIL() << "expected a metadata error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  }
}

TEST_F(PrimaryCheckTest, UnreachablePrimaryIsMetadataErrorNamingIt) {
  try {
    check_primary({2, "node2", "host=db2 dbname=repmgr"}, opener());
    FAIL() << "expected a metadata error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
    EXPECT_THAT(e.what(), HasSubstr("node 2 (node2) is unreachable"));
  }
}

TEST_F(PrimaryCheckTest, PrimaryInRecoveryIsSafetyRefusal) {
  node("host=db1 dbname=repmgr", true);
  try {
    check_primary({1, "node1", "host=db1 dbname=repmgr"}, opener());
    FAIL() << "expected a safety refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::safety_refusal);
    EXPECT_THAT(e.what(), HasSubstr("node 1 (node1)"));
    EXPECT_THAT(e.what(), HasSubstr("in recovery"));
  }
}

// status, doctor, --check and --dry-run share these messages: none of them could push, so the
// message leaves that to the caller (report/report.hpp before_any_host).
TEST_F(PrimaryCheckTest, ASecondWritableNodeIsRefusedWithTheWayBack) {
  node("host=db2 dbname=repmgr", false);
  try {
    refuse_other_writable_nodes({{2, "node2", "host=db2 dbname=repmgr"}}, opener());
    FAIL() << "expected a safety refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::safety_refusal);
    EXPECT_THAT(e.what(), HasSubstr("two primaries: node 2 (node2) accepts writes"));
    EXPECT_THAT(e.what(), HasSubstr("`repmgr node rejoin`"));
    EXPECT_THAT(e.what(), Not(HasSubstr("pushed")));
  }
}

TEST_F(PrimaryCheckTest, MessagesDoNotClaimAPush) {
  node("host=db1 dbname=repmgr", true);
  try {
    check_primary({1, "node1", "host=db1 dbname=repmgr"}, opener());
    FAIL() << "expected a safety refusal";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr("pushed")));
  }
  try {
    check_primary({2, "node2", "host=db2 dbname=repmgr"}, opener());
    FAIL() << "expected a metadata error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr("pushed")));
  }
}

}  // namespace
}  // namespace pgdeploy
