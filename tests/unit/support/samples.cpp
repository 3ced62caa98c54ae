#include "support/samples.hpp"

#include "model/app_server.hpp"
#include "util/errors.hpp"

namespace pgdeploy::test {

void answer_repmgr_metadata(FakeDatabase& db, const std::string& primary_conninfo,
                            const std::vector<AppServerRow>& rows) {
  const auto exists = [](bool yes) { return query_result({"?column?"}, {{yes ? "t" : "f"}}); };
  db.answer("to_regclass", exists(false));
  db.answer_for_param("to_regclass", R"("repmgr"."nodes")", exists(true));
  db.answer_for_param("to_regclass", R"("repmgr"."app_servers")", exists(true));
  db.answer_for_param("WHERE active AND type = $1", "primary",
                      query_result({"id", "name", "conninfo"}, {{"1", "node1", primary_conninfo}}));
  db.answer_for_param("WHERE active AND type <> $1", "witness",
                      query_result({"id", "name", "conninfo"}));
  db.answer_for_param("WHERE active AND type = $1", "standby",
                      query_result({"id", "name", "conninfo", "location"}));
  db.answer("pg_database", query_result({"datname"}, {{"app"}, {"postgres"}}));
  db.answer("pg_attribute", query_result({"attname"}, {{"node_id"}, {"node_name"}, {"ip_addr"}}));
  // The columns the app_servers query selects, whichever the table has.
  const std::vector<std::string> columns{
      "id",         "name",           "ip_addr",        "username", "application_name", "ssh_port",
      "config_dir", "reload_command", "admin_conninfo", "location", "pgbouncer_ini",    "enabled",
      "auth_trust", "delivery"};
  std::vector<std::vector<std::optional<std::string>>> values;
  int id = 100;
  for (const AppServerRow& row : rows) {
    values.push_back({std::to_string(++id), row.name, row.address, std::nullopt, std::nullopt,
                      std::nullopt, std::nullopt, std::nullopt, row.admin_conninfo, std::nullopt,
                      std::nullopt, row.enabled ? "true" : "false", "false", std::nullopt});
  }
  db.answer(R"(FROM "repmgr"."app_servers")", query_result(columns, values));
}

DeployPlan plan_on(int node, const std::string& host, int timeline, const std::string& lsn) {
  return {"main",
          {node, "node" + std::to_string(node), "host=" + host},
          {host, 5432},
          {timeline, lsn, "7301"},
          {"app", "postgres"},
          true};
}

AppServer app1() {
  AppServer host;
  host.id = 101;
  host.name = "app1";
  host.address = "10.0.0.5";
  return host;
}

ReadOnlyWorld::ReadOnlyWorld(const std::vector<AppServerRow>& rows)
    : metadata(servers.add("host=local dbname=repmgr")) {
  answer_repmgr_metadata(metadata, primary, rows);
  servers.add(primary);
  options.cluster = "main";
  options.pgconnstring = "host=local dbname=repmgr";
  options.ssh_key = "/keys/deploy";
  options.known_hosts = "/keys/known_hosts";
  options.sync_userlist = "/etc/pgbouncer/userlist.txt";
  options.sync_pgpass = true;
}

HostConnectorLoader ReadOnlyWorld::ssh_loader() {
  return [this](const std::filesystem::path& key,
                const std::filesystem::path& known_hosts) -> HostConnector& {
    loaded.push_back(key.string() + " " + known_hosts.string());
    if (ssh_failure) {
      throw usage_error(*ssh_failure);
    }
    return ssh;
  };
}

}  // namespace pgdeploy::test
