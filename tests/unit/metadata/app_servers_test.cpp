#include "metadata/app_servers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "model/app_server.hpp"
#include "support/fakes.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

using test::FakeDatabase;
using test::query_result;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string table = R"("repmgr"."app_servers")";

const std::set<std::string> original_columns{
    "node_id", "node_name", "ip_addr", "username", "application_name", "enabled", "auth_trust"};

const std::set<std::string> all_columns{
    "node_id",        "node_name",  "ip_addr",       "username",   "application_name",
    "enabled",        "auth_trust", "ssh_port",      "config_dir", "reload_command",
    "admin_conninfo", "location",   "pgbouncer_ini", "delivery"};

// The columns app_servers_query selects, in its order.
const std::vector<std::string> selected_columns{
    "id",         "name",           "ip_addr",        "username", "application_name", "ssh_port",
    "config_dir", "reload_command", "admin_conninfo", "location", "pgbouncer_ini",    "delivery",
    "enabled",    "auth_trust"};

using Row = std::vector<std::optional<std::string>>;

// A row with id, name and ip_addr set and every other column NULL.
Row minimal_row(const std::string& id, const std::string& name, const std::string& ip) {
  Row row(selected_columns.size());
  row[0] = id;
  row[1] = name;
  row[2] = ip;
  return row;
}

void set(Row& row, const std::string& column, std::optional<std::string> value) {
  const auto at = std::find(selected_columns.begin(), selected_columns.end(), column);
  row.at(static_cast<std::size_t>(at - selected_columns.begin())) = std::move(value);
}

AppServer only_server(const Row& row) {
  const auto servers = app_servers_from(query_result(selected_columns, {row}));
  EXPECT_EQ(servers.size(), 1U);
  return servers.at(0);
}

// ---- app_servers_query ---------------------------------------------------------------------

TEST(AppServersQuery, SelectsOriginalColumnsAndNullForNewOnes) {
  const std::string sql = app_servers_query(table, original_columns);
  EXPECT_THAT(sql, StartsWith("SELECT node_id::text AS id, node_name::text AS name, "));
  EXPECT_THAT(sql, HasSubstr("ip_addr::text AS ip_addr"));
  EXPECT_THAT(sql, HasSubstr("username::text AS username"));
  EXPECT_THAT(sql, HasSubstr("application_name::text AS application_name"));
  EXPECT_THAT(sql, HasSubstr("CASE WHEN enabled THEN 'true' WHEN NOT enabled THEN 'false' END "
                             "AS enabled"));
  EXPECT_THAT(sql, HasSubstr("CASE WHEN auth_trust THEN 'true' WHEN NOT auth_trust THEN 'false' "
                             "END AS auth_trust"));
  for (const char* absent : {"ssh_port", "config_dir", "reload_command", "admin_conninfo"}) {
    EXPECT_THAT(sql, HasSubstr(std::string("NULL::text AS ") + absent));
  }
  EXPECT_THAT(sql, EndsWith(" FROM \"repmgr\".\"app_servers\" ORDER BY 2, 1"));
}

TEST(AppServersQuery, AcceptsIdAndNameSpelling) {
  const std::string sql = app_servers_query(table, {"id", "name", "ip_addr"});
  EXPECT_THAT(sql,
              StartsWith("SELECT id::text AS id, name::text AS name, ip_addr::text AS ip_addr"));
  for (const char* absent : {"username", "application_name", "ssh_port", "config_dir",
                             "reload_command", "admin_conninfo", "enabled", "auth_trust"}) {
    EXPECT_THAT(sql, HasSubstr(std::string("NULL::text AS ") + absent));
  }
}

TEST(AppServersQuery, SelectsEveryNewColumnWhenPresent) {
  const std::string sql = app_servers_query(table, all_columns);
  EXPECT_THAT(sql, Not(HasSubstr("NULL")));
  for (const char* column : {"ssh_port", "config_dir", "reload_command", "admin_conninfo",
                             "pgbouncer_ini", "delivery"}) {
    EXPECT_THAT(sql, HasSubstr(std::string(column) + "::text AS " + column));
  }
}

TEST(AppServersQuery, SelectsColumnsInTheOrderAppServersFromReads) {
  const std::string sql = app_servers_query(table, all_columns);
  std::size_t previous = 0;
  for (const std::string& alias : selected_columns) {
    const auto at = sql.find(" AS " + alias);
    ASSERT_NE(at, std::string::npos) << alias;
    EXPECT_GE(at, previous) << alias;
    previous = at;
  }
}

TEST(AppServersQuery, MissingIdIsMetadataError) {
  try {
    app_servers_query(table, {"node_name", "ip_addr"});
    FAIL() << "expected pgdeploy::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
    EXPECT_THAT(e.what(), HasSubstr("node_id or id"));
    EXPECT_THAT(e.what(), HasSubstr(table));
  }
}

TEST(AppServersQuery, MissingNameIsMetadataError) {
  try {
    app_servers_query(table, {"node_id", "ip_addr"});
    FAIL() << "expected pgdeploy::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
    EXPECT_THAT(e.what(), HasSubstr("node_name or name"));
  }
}

TEST(AppServersQuery, MissingIpAddrIsMetadataError) {
  try {
    app_servers_query(table, {"node_id", "node_name"});
    FAIL() << "expected pgdeploy::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::metadata);
    EXPECT_THAT(e.what(), HasSubstr("ip_addr"));
  }
}

// ---- app_servers_from ----------------------------------------------------------------------

TEST(AppServersFrom, AppliesDefaultsForNullColumns) {
  const AppServer server = only_server(minimal_row("7", "app1", "10.0.0.5"));
  EXPECT_EQ(server.id, 7);
  EXPECT_EQ(server.name, "app1");
  EXPECT_EQ(server.address, "10.0.0.5");
  EXPECT_EQ(server.username, "postgres");
  EXPECT_EQ(server.application_name, "");
  EXPECT_TRUE(server.enabled);
  EXPECT_FALSE(server.auth_trust);
  EXPECT_EQ(server.ssh_port, 22);
  EXPECT_EQ(server.config_dir, "/etc/pgbouncer/databases");
  EXPECT_EQ(server.reload_command, std::nullopt);
  EXPECT_EQ(server.admin_conninfo, std::nullopt);
  EXPECT_EQ(server.pgbouncer_ini, "/etc/pgbouncer/pgbouncer.ini");
  EXPECT_EQ(server.invalid_reason, "");
}

TEST(AppServersFrom, ReadsEveryColumn) {
  Row row = minimal_row("3", "app3", "10.0.0.7");
  set(row, "username", "deploy");
  set(row, "application_name", "billing app");
  set(row, "enabled", "false");
  set(row, "auth_trust", "true");
  set(row, "ssh_port", "2222");
  set(row, "config_dir", "/srv/pgbouncer/conf.d");
  set(row, "reload_command", "systemctl reload pgbouncer");
  set(row, "admin_conninfo", "host=/run/pgbouncer port=6432 user=admin");
  set(row, "pgbouncer_ini", "/srv/pgbouncer/pgbouncer.ini");
  const AppServer server = only_server(row);
  EXPECT_EQ(server.username, "deploy");
  EXPECT_EQ(server.application_name, "billing app");
  EXPECT_FALSE(server.enabled);
  EXPECT_TRUE(server.auth_trust);
  EXPECT_EQ(server.ssh_port, 2222);
  EXPECT_EQ(server.config_dir, "/srv/pgbouncer/conf.d");
  EXPECT_EQ(server.reload_command, "systemctl reload pgbouncer");
  EXPECT_EQ(server.admin_conninfo, "host=/run/pgbouncer port=6432 user=admin");
  EXPECT_EQ(server.pgbouncer_ini, "/srv/pgbouncer/pgbouncer.ini");
  EXPECT_EQ(server.invalid_reason, "");
}

TEST(AppServersFrom, ReadsEnabledTrue) {
  Row row = minimal_row("1", "app1", "10.0.0.5");
  set(row, "enabled", "true");
  EXPECT_TRUE(only_server(row).enabled);
}

TEST(AppServersFrom, StripsFullWidthPrefixOfInetText) {
  EXPECT_EQ(only_server(minimal_row("1", "app1", "10.0.0.5/32")).address, "10.0.0.5");
  EXPECT_EQ(only_server(minimal_row("1", "app1", "fd00::5/128")).address, "fd00::5");
}

TEST(AppServersFrom, KeepsHostNames) {
  EXPECT_EQ(only_server(minimal_row("1", "app1", "app1.example.com")).address, "app1.example.com");
}

TEST(AppServersFrom, KeepsRowsInQueryOrder) {
  const auto servers = app_servers_from(query_result(
      selected_columns, {minimal_row("2", "b", "10.0.0.2"), minimal_row("1", "a", "10.0.0.1")}));
  ASSERT_EQ(servers.size(), 2U);
  EXPECT_EQ(servers[0].name, "b");
  EXPECT_EQ(servers[1].name, "a");
}

TEST(AppServersFrom, NoRowsNoServers) {
  EXPECT_TRUE(app_servers_from(query_result(selected_columns)).empty());
}

TEST(AppServersFrom, InvalidSshPortMakesRowInvalid) {
  for (const char* port : {"0", "65536", "-22", "ssh", "22x", ""}) {
    Row row = minimal_row("1", "app1", "10.0.0.5");
    set(row, "ssh_port", port);
    EXPECT_THAT(only_server(row).invalid_reason, HasSubstr("ssh_port"))
        << "port \"" << port << "\"";
  }
}

TEST(AppServersFrom, MissingIdMakesRowInvalid) {
  const AppServer server = only_server(minimal_row("", "app1", "10.0.0.5"));
  EXPECT_THAT(server.invalid_reason, HasSubstr("id"));
  Row row = minimal_row("1", "app1", "10.0.0.5");
  row[0] = std::nullopt;
  const AppServer null_id = only_server(row);
  EXPECT_THAT(null_id.invalid_reason, HasSubstr("id"));
  EXPECT_EQ(null_id.name, "app1");
}

TEST(AppServersFrom, MissingNameMakesRowInvalidAndNamesItById) {
  Row row = minimal_row("9", "", "10.0.0.5");
  row[1] = std::nullopt;
  const AppServer server = only_server(row);
  EXPECT_THAT(server.invalid_reason, HasSubstr("name"));
  EXPECT_EQ(server.name, "(id 9)");
}

TEST(AppServersFrom, MissingAddressMakesRowInvalid) {
  Row row = minimal_row("1", "app1", "");
  row[2] = std::nullopt;
  EXPECT_THAT(only_server(row).invalid_reason, HasSubstr("ip_addr"));
}

TEST(AppServersFrom, ReadsResultOfGeneratedQueryByColumnName) {
  // Columns in another order than the query's must still be found by name.
  std::vector<std::string> reversed(selected_columns.rbegin(), selected_columns.rend());
  Row row = minimal_row("4", "app4", "10.0.0.4");
  set(row, "ssh_port", "2200");
  const Row reversed_row(row.rbegin(), row.rend());
  const auto servers = app_servers_from(query_result(reversed, {reversed_row}));
  ASSERT_EQ(servers.size(), 1U);
  EXPECT_EQ(servers[0].id, 4);
  EXPECT_EQ(servers[0].ssh_port, 2200);
}

// ---- table_columns -------------------------------------------------------------------------

TEST(TableColumns, BindsTableAsParameterAndReturnsNames) {
  FakeDatabase db;
  db.answer("pg_attribute", query_result({"attname"}, {{"node_id"}, {"node_name"}, {"ip_addr"}}));
  EXPECT_EQ(table_columns(db, table), (std::set<std::string>{"node_id", "node_name", "ip_addr"}));
  ASSERT_EQ(db.queries().size(), 1U);
  EXPECT_THAT(db.queries()[0].params, ElementsAre(table));
  EXPECT_THAT(db.queries()[0].sql, Not(HasSubstr("app_servers")));
}

TEST(AppServersFrom, NetworkAddressMakesRowInvalid) {
  EXPECT_THAT(only_server(minimal_row("1", "app1", "10.0.0.0/24")).invalid_reason,
              HasSubstr("network"));
  // /32 belongs to IPv4 only; on an IPv6 address it is a network too.
  EXPECT_THAT(only_server(minimal_row("1", "app1", "fd00::/32")).invalid_reason,
              HasSubstr("network"));
}

TEST(AppServersFrom, EmptyAdminConninfoAndReloadCommandMeanDefault) {
  Row row = minimal_row("1", "app1", "10.0.0.5");
  set(row, "admin_conninfo", "");
  set(row, "reload_command", "");
  const AppServer server = only_server(row);
  EXPECT_FALSE(server.admin_conninfo.has_value());
  EXPECT_FALSE(server.reload_command.has_value());
}

TEST(AppServersFrom, DeliveryDefaultsToSsh) {
  EXPECT_EQ(only_server(minimal_row("1", "app1", "10.0.0.5")).delivery, Delivery::ssh);
  Row row = minimal_row("1", "app1", "10.0.0.5");
  set(row, "delivery", "ssh");
  EXPECT_EQ(only_server(row).delivery, Delivery::ssh);
}

TEST(AppServersFrom, DeliveryAgentIsPulled) {
  Row row = minimal_row("1", "app1", "10.0.0.5");
  set(row, "delivery", "agent");
  const AppServer server = only_server(row);
  EXPECT_EQ(server.delivery, Delivery::agent);
  EXPECT_EQ(server.invalid_reason, "");
}

TEST(AppServersFrom, UnknownDeliveryMakesRowInvalidNamingTheValue) {
  Row row = minimal_row("1", "app1", "10.0.0.5");
  set(row, "delivery", "carrier-pigeon");
  const AppServer server = only_server(row);
  EXPECT_EQ(server.invalid_reason, "delivery is neither ssh nor agent: carrier-pigeon");
  EXPECT_EQ(server.delivery, Delivery::ssh);
}

}  // namespace
}  // namespace pgdeploy
