#include "metadata/catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fakes.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

using test::FakeDatabase;
using test::query_result;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using Rows = std::vector<std::vector<std::optional<std::string>>>;

const std::vector<std::string> app_server_columns{
    "id",         "name",           "ip_addr",        "username", "application_name", "ssh_port",
    "config_dir", "reload_command", "admin_conninfo", "location", "pgbouncer_ini",    "enabled",
    "auth_trust", "delivery"};

QueryResult exists(bool yes) { return query_result({"?column?"}, {{yes ? "t" : "f"}}); }

QueryResult primaries(const Rows& rows) { return query_result({"id", "name", "conninfo"}, rows); }

// A database holding repmgr 4/5 metadata with one active primary, unless a test changes it.
class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db.answer("to_regclass", exists(false));  // every table is absent unless stated
    db.answer_for_param("WHERE active AND type = $1", "standby",
                        query_result({"id", "name", "conninfo", "location"}));
    db.answer("pg_database", query_result({"datname"}, {{"app"}, {"postgres"}, {"repmgr"}}));
    db.answer("pg_attribute", query_result({"attname"}, {{"node_id"}, {"node_name"}, {"ip_addr"}}));
    use_schema("repmgr", "nodes");
  }

  // Metadata in SCHEMA.NODES_TABLE, app_servers beside it, one active primary.
  void use_schema(const std::string& schema, const std::string& nodes_table) {
    const std::string quoted_schema = db.quote_identifier(schema);
    table_exists(quoted_schema + "." + db.quote_identifier(nodes_table));
    table_exists(quoted_schema + ".\"app_servers\"");
    db.answer("FROM " + quoted_schema + "." + db.quote_identifier(nodes_table),
              primaries({{"1", "node1", "host=10.0.0.11 port=5432 user=repmgr dbname=repmgr"}}));
    db.answer("FROM " + quoted_schema + ".\"app_servers\"",
              query_result(app_server_columns,
                           {{"101", "app1", "10.0.0.5/32", std::nullopt, std::nullopt, std::nullopt,
                             std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                             "true", "false", std::nullopt}}));
  }

  void table_exists(const std::string& qualified) {
    db.answer_for_param("to_regclass", qualified, exists(true));
  }

  // node_public_info in place, its node column named ID_COLUMN.
  void public_info_table(const std::string& id_column = "node_id") {
    table_exists(R"("repmgr"."node_public_info")");
    db.answer("('node_id', 'id', 'conninfo')",
              query_result({"attname"}, {{id_column}, {"conninfo"}}));
  }

  void table_absent(const std::string& qualified) {
    db.answer_for_param("to_regclass", qualified, exists(false));
  }

  // The Error that reading the catalog throws; fails the test when it throws none.
  Error read_error(const std::string& cluster = "main", bool public_net = false) {
    try {
      Catalog(db, cluster).read(public_net);
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "Catalog::read did not throw";
    return {ExitCode::ok, ""};
  }

  FakeDatabase db;
};

TEST_F(CatalogTest, FakeQuotesIdentifiersLikeLibpq) {
  EXPECT_EQ(db.quote_identifier("repmgr"), R"("repmgr")");
  EXPECT_EQ(db.quote_identifier("a\"b"), R"("a""b")");
}

// ---- layouts -------------------------------------------------------------------------------

TEST_F(CatalogTest, DetectsRepmgr4LayoutFromRepmgrNodes) {
  const ClusterState state = Catalog(db, "main").read(false);
  EXPECT_EQ(state.layout, Layout::repmgr4);
  EXPECT_EQ(state.schema, "repmgr");
  EXPECT_THAT(db.queries().front().params, ElementsAre(R"("repmgr"."nodes")"));
}

TEST_F(CatalogTest, Repmgr4PrimaryIsActiveWithTypeBoundAsParameter) {
  Catalog(db, "main").read(false);
  // The primary's read; the standbys' (for read-only routes) binds 'standby'.
  std::vector<test::RecordedQuery> reads;
  for (const auto& query : db.queries_containing(R"(FROM "repmgr"."nodes")")) {
    // ... and the other active nodes' (checked for a second primary) binds 'witness'.
    if (query.params != std::vector<std::string>{"standby"} && query.params.front() != "witness") {
      reads.push_back(query);
    }
  }
  ASSERT_EQ(reads.size(), 1U);
  EXPECT_THAT(reads[0].sql, HasSubstr("node_id::text AS id, node_name AS name, conninfo"));
  EXPECT_THAT(reads[0].sql, HasSubstr("WHERE active AND type = $1"));
  EXPECT_THAT(reads[0].sql, Not(HasSubstr("'primary'")));
  EXPECT_THAT(reads[0].params, ElementsAre("primary"));
}

TEST_F(CatalogTest, ReadsPrimaryEndpointDatabasesAndAppServers) {
  const ClusterState state = Catalog(db, "main").read(false);
  EXPECT_EQ(state.primary.id, 1);
  EXPECT_EQ(state.primary.name, "node1");
  EXPECT_EQ(state.primary.conninfo, "host=10.0.0.11 port=5432 user=repmgr dbname=repmgr");
  // Without -P the address is where the connection that checks the primary goes (see
  // primary_check_test): not resolved from the conninfo here a second time.
  EXPECT_EQ(state.primary_endpoint, Endpoint{});
  EXPECT_THAT(state.databases, ElementsAre("app", "postgres", "repmgr"));
  ASSERT_EQ(state.app_servers.size(), 1U);
  EXPECT_EQ(state.app_servers[0].id, 101);
  EXPECT_EQ(state.app_servers[0].address, "10.0.0.5");
}

TEST_F(CatalogTest, ReadsStandbysOnlyWhenAsked) {
  db.answer_for_param("WHERE active AND type = $1", "standby",
                      query_result({"id", "name", "conninfo", "location"},
                                   {{"2", "node2", "host=10.0.0.12 port=5432", "dc2"}}));
  EXPECT_TRUE(Catalog(db, "main").read(false).standbys.empty());
  EXPECT_EQ(db.queries_containing("type = $1").size(), 1U) << "the primary's read only";
  const ClusterState state = Catalog(db, "main").read(false, true);
  ASSERT_EQ(state.standbys.size(), 1U);
  EXPECT_EQ(state.standbys[0].node.name, "node2");
  EXPECT_EQ(state.standbys[0].endpoint, (Endpoint{"10.0.0.12", 5432}));
  EXPECT_EQ(state.standbys[0].location, "dc2");
}

TEST_F(CatalogTest, ReadsOnlyNonTemplateDatabases) {
  Catalog(db, "main").read(false);
  const auto reads = db.queries_containing("pg_database");
  ASSERT_EQ(reads.size(), 1U);
  EXPECT_THAT(reads[0].sql, HasSubstr("NOT datistemplate"));
}

TEST_F(CatalogTest, ReadsAppServersBesideTheNodesTable) {
  Catalog(db, "main").read(false);
  const auto columns = db.queries_containing("pg_attribute");
  ASSERT_EQ(columns.size(), 1U);
  EXPECT_THAT(columns[0].params, ElementsAre(R"("repmgr"."app_servers")"));
  EXPECT_EQ(db.queries_containing(R"(FROM "repmgr"."app_servers" ORDER BY)").size(), 1U);
}

TEST_F(CatalogTest, DetectsRepmgr3LayoutFromClusterSchema) {
  table_absent(R"("repmgr"."nodes")");
  use_schema("repmgr_main", "repl_nodes");
  const ClusterState state = Catalog(db, "main").read(false);
  EXPECT_EQ(state.layout, Layout::repmgr3);
  EXPECT_EQ(state.schema, "repmgr_main");
  EXPECT_EQ(state.primary.name, "node1");
  EXPECT_EQ(state.app_servers.size(), 1U);
  EXPECT_EQ(db.queries_containing(R"(FROM "repmgr_main"."app_servers")").size(), 1U);
}

TEST_F(CatalogTest, Repmgr3PrimaryIsMasterBoundAsParameter) {
  table_absent(R"("repmgr"."nodes")");
  use_schema("repmgr_main", "repl_nodes");
  Catalog(db, "main").read(false);
  // The primary's read; the standbys' (for read-only routes) binds 'standby'.
  std::vector<test::RecordedQuery> reads;
  for (const auto& query : db.queries_containing(R"(FROM "repmgr_main"."repl_nodes")")) {
    // ... and the other active nodes' (checked for a second primary) binds 'witness'.
    if (query.params != std::vector<std::string>{"standby"} && query.params.front() != "witness") {
      reads.push_back(query);
    }
  }
  ASSERT_EQ(reads.size(), 1U);
  EXPECT_THAT(reads[0].sql, HasSubstr("SELECT id::text AS id, name AS name, conninfo"));
  EXPECT_THAT(reads[0].sql, HasSubstr("WHERE active AND type = $1"));
  EXPECT_THAT(reads[0].sql, Not(HasSubstr("'master'")));
  EXPECT_THAT(reads[0].params, ElementsAre("master"));
}

TEST_F(CatalogTest, ClusterNameIsAlwaysQuotedAsIdentifier) {
  // The catalog takes any string (the command line validates); a quote must never end the
  // identifier early.
  table_absent(R"("repmgr"."nodes")");
  use_schema("repmgr_a\"b", "repl_nodes");
  const ClusterState state = Catalog(db, "a\"b").read(false);
  EXPECT_EQ(state.schema, "repmgr_a\"b");
  bool quoted_seen = false;
  for (const auto& q : db.queries()) {
    EXPECT_THAT(q.sql, Not(HasSubstr("a\"b"))) << q.sql;
    for (const auto& param : q.params) {
      EXPECT_THAT(param, Not(HasSubstr("a\"b"))) << param;
      quoted_seen = quoted_seen || param.find(R"("repmgr_a""b")") != std::string::npos;
    }
    quoted_seen = quoted_seen || q.sql.find(R"("repmgr_a""b")") != std::string::npos;
  }
  EXPECT_TRUE(quoted_seen);
}

TEST_F(CatalogTest, NoRepmgrMetadataIsMetadataError) {
  table_absent(R"("repmgr"."nodes")");
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), HasSubstr("repmgr.nodes"));
  EXPECT_THAT(e.what(), HasSubstr("repmgr_main.repl_nodes"));
}

TEST_F(CatalogTest, MissingAppServersTableIsMetadataError) {
  table_absent(R"("repmgr"."app_servers")");
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), HasSubstr("app_servers"));
  EXPECT_TRUE(db.queries_containing(R"(FROM "repmgr"."nodes")").empty())
      << "the primary is read only once the table is known to exist";
}

TEST_F(CatalogTest, FailingQueryIsMetadataError) {
  db.fail(R"(FROM "repmgr"."nodes")", "permission denied for table nodes");
  EXPECT_EQ(read_error().exit_code(), ExitCode::metadata);
}

// ---- the active primary --------------------------------------------------------------------

TEST_F(CatalogTest, NoActivePrimaryIsMetadataError) {
  db.answer(R"(FROM "repmgr"."nodes")", primaries({}));
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), HasSubstr("no active primary"));
  EXPECT_THAT(e.what(), Not(HasSubstr("pushed")));
}

TEST_F(CatalogTest, TwoActivePrimariesIsSafetyRefusalNamingBoth) {
  db.answer(R"(FROM "repmgr"."nodes")",
            primaries({{"1", "node1", "host=10.0.0.11"}, {"2", "node2", "host=10.0.0.12"}}));
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::safety_refusal);
  EXPECT_THAT(e.what(), HasSubstr("node 1 (node1)"));
  EXPECT_THAT(e.what(), HasSubstr("node 2 (node2)"));
  EXPECT_THAT(e.what(), HasSubstr("`repmgr node rejoin`"));
  EXPECT_THAT(e.what(), Not(HasSubstr("pushed")));
  EXPECT_TRUE(db.queries_containing(R"(FROM "repmgr"."app_servers" ORDER BY)").empty());
}

TEST_F(CatalogTest, PrimaryConninfoWithoutHostIsLeftToTheCheck) {
  // PGHOST may name the host; when libpq falls back to a Unix socket, check_primary refuses
  // it (PrimaryCheckTest.PrimaryReachedThroughUnixSocketIsMetadataError).
  db.answer(R"(FROM "repmgr"."nodes")",
            primaries({{"1", "node1", "user=repmgr password=s3cret dbname=repmgr"}}));
  EXPECT_NO_THROW(Catalog(db, "main").read(false));
}

TEST_F(CatalogTest, PrimaryConninfoOnUnixSocketIsErrorWithoutPassword) {
  db.answer(R"(FROM "repmgr"."nodes")",
            primaries({{"1", "node1", "host=/var/run/postgresql password=s3cret"}}));
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
}

TEST_F(CatalogTest, UnparsableKeyValueConninfoIsErrorWithoutPassword) {
  db.answer(R"(FROM "repmgr"."nodes")",
            primaries({{"1", "node1", "host=10.0.0.11 password=s3cret bogus"}}));
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
}

TEST_F(CatalogTest, UnparsableUriConninfoIsErrorWithoutPassword) {
  // libpq quotes the whole URI when it cannot parse it.
  db.answer(R"(FROM "repmgr"."nodes")",
            primaries({{"1", "node1", "postgresql://repmgr:s3cret@[fd00::11/repmgr"}}));
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
}

TEST_F(CatalogTest, PrimaryUriConninfoIsAccepted) {
  db.answer(R"(FROM "repmgr"."nodes")",
            primaries({{"1", "node1", "postgresql://repmgr:s3cret@10.0.0.11:5433/repmgr"}}));
  EXPECT_NO_THROW(Catalog(db, "main").read(false));
}

TEST_F(CatalogTest, PrimaryConninfoWithoutHostIsLeftToLibpq) {
  // A service file or PGHOST may name the host; the connection that checks the primary tells.
  db.answer(R"(FROM "repmgr"."nodes")", primaries({{"1", "node1", "service=node1 user=repmgr"}}));
  EXPECT_NO_THROW(Catalog(db, "main").read(false));
}

TEST_F(CatalogTest, PrimaryConninfoWithSeveralHostsIsMetadataError) {
  db.answer(R"(FROM "repmgr"."nodes")", primaries({{"1", "node1", "host=a,b dbname=repmgr"}}));
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), HasSubstr("several hosts"));
}

TEST_F(CatalogTest, PrimaryConninfoWithBareTokenIsErrorWithoutQuotingIt) {
  db.answer(R"(FROM "repmgr"."nodes")",
            primaries({{"1", "node1", "host=10.0.0.11 SeCrEt port=5432"}}));
  const Error e = read_error();
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), HasSubstr("primary node 1 (node1): unusable conninfo: invalid connection "
                                  "string: missing \"=\" after a keyword"));
  EXPECT_THAT(e.what(), Not(HasSubstr("SeCrEt")));
}

// ---- --public-net ----------------------------------------------------------------------------

TEST_F(CatalogTest, PublicNetReadsEndpointFromNodePublicInfo) {
  public_info_table();
  db.answer(R"(FROM "repmgr"."node_public_info")",
            query_result({"conninfo"}, {{"host=203.0.113.7 port=6543"}}));
  EXPECT_EQ(Catalog(db, "main").read(true).primary_endpoint, (Endpoint{"203.0.113.7", 6543}));
  const auto reads = db.queries_containing(R"(FROM "repmgr"."node_public_info")");
  ASSERT_EQ(reads.size(), 1U);
  EXPECT_THAT(reads[0].sql, HasSubstr(R"(WHERE "node_id" = $1)"));
  EXPECT_THAT(reads[0].params, ElementsAre("1"));
}

TEST_F(CatalogTest, WithoutPublicNetNodePublicInfoIsNotRead) {
  public_info_table();
  Catalog(db, "main").read(false);
  EXPECT_TRUE(db.queries_containing("node_public_info").empty());
}

TEST_F(CatalogTest, PublicNetReadsTheOriginalAgentsTableWithItsIdColumn) {
  public_info_table("id");
  db.answer(R"(FROM "repmgr"."node_public_info")",
            query_result({"conninfo"}, {{"host=203.0.113.7 port=6543"}}));
  EXPECT_EQ(Catalog(db, "main").read(true).primary_endpoint, (Endpoint{"203.0.113.7", 6543}));
  const auto reads = db.queries_containing(R"(FROM "repmgr"."node_public_info")");
  ASSERT_EQ(reads.size(), 1U);
  EXPECT_THAT(reads[0].sql, HasSubstr(R"(WHERE "id" = $1)"));
}

TEST_F(CatalogTest, PublicNetTableWithoutANodeColumnIsMetadataErrorNamingTheColumns) {
  table_exists(R"("repmgr"."node_public_info")");
  db.answer("('node_id', 'id', 'conninfo')", query_result({"attname"}, {{"conninfo"}}));
  const Error e = read_error("main", true);
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), HasSubstr("needs the columns node_id (or id) and conninfo"));
  EXPECT_TRUE(db.queries_containing(R"(FROM "repmgr"."node_public_info")").empty());
}

TEST_F(CatalogTest, PublicNetWithoutTableIsMetadataError) {
  const Error e = read_error("main", true);
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), HasSubstr("node_public_info"));
}

TEST_F(CatalogTest, PublicNetWithoutRowForPrimaryIsMetadataError) {
  public_info_table();
  db.answer(R"(FROM "repmgr"."node_public_info")", query_result({"conninfo"}));
  const Error e = read_error("main", true);
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), HasSubstr("node 1 (node1)"));
}

TEST_F(CatalogTest, PublicNetWithNullConninfoIsMetadataError) {
  public_info_table();
  db.answer(R"(FROM "repmgr"."node_public_info")", query_result({"conninfo"}, {{std::nullopt}}));
  EXPECT_EQ(read_error("main", true).exit_code(), ExitCode::metadata);
}

TEST_F(CatalogTest, PublicNetUnusableConninfoIsErrorWithoutPassword) {
  public_info_table();
  db.answer(R"(FROM "repmgr"."node_public_info")",
            query_result({"conninfo"}, {{"user=app password=s3cret"}}));
  const Error e = read_error("main", true);
  EXPECT_EQ(e.exit_code(), ExitCode::metadata);
  EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
}

}  // namespace
}  // namespace pgdeploy
