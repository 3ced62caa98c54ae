#include "metadata/app_servers.hpp"

#include "model/app_server.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// The column of a row as the query selects it: the first spelling the table has, else NULL.
std::string select_column(const std::set<std::string>& columns,
                          std::initializer_list<const char*> spellings, const char* alias) {
  for (const char* spelling : spellings) {
    if (columns.contains(spelling)) {
      return std::string(spelling) + "::text AS " + alias;
    }
  }
  return std::string("NULL::text AS ") + alias;
}

void require_column(const std::set<std::string>& columns,
                    std::initializer_list<const char*> spellings, const std::string& table) {
  for (const char* spelling : spellings) {
    if (columns.contains(spelling)) {
      return;
    }
  }
  std::string names;
  for (const char* spelling : spellings) {
    names += names.empty() ? spelling : std::string(" or ") + spelling;
  }
  throw metadata_error(table + " has no column " + names);
}

// An inet value with a host's full prefix length (/32, /128) is that host; any other prefix
// is a network, which cannot be connected to (left in place and rejected by the caller).
std::string address_without_prefix(const std::string& address) {
  const bool ipv6 = address.find(':') != std::string::npos;
  const std::string_view full = ipv6 ? "/128" : "/32";
  return address.ends_with(full) ? address.substr(0, address.size() - full.size()) : address;
}

// An empty optional column means the same as NULL: the default.
std::optional<std::string> non_empty(const std::optional<std::string>& value) {
  return value && !value->empty() ? value : std::nullopt;
}

void apply_text(const std::optional<std::string>& value, std::string& field) {
  if (value) {
    field = *value;
  }
}

void apply_bool(const std::optional<std::string>& value, bool& field) {
  if (value) {
    field = *value == "true";
  }
}

AppServer app_server_from(const QueryResult& result, std::size_t row) {
  AppServer server;
  const auto& id = result.value(row, "id");
  apply_text(result.value(row, "name"), server.name);
  apply_text(result.value(row, "ip_addr"), server.address);
  server.address = address_without_prefix(server.address);
  apply_text(result.value(row, "username"), server.username);
  apply_text(result.value(row, "application_name"), server.application_name);
  apply_bool(result.value(row, "enabled"), server.enabled);
  apply_bool(result.value(row, "auth_trust"), server.auth_trust);
  apply_text(result.value(row, "config_dir"), server.config_dir);
  apply_text(result.value(row, "location"), server.location);
  apply_text(non_empty(result.value(row, "pgbouncer_ini")), server.pgbouncer_ini);
  server.reload_command = non_empty(result.value(row, "reload_command"));
  server.admin_conninfo = non_empty(result.value(row, "admin_conninfo"));
  const auto delivery = non_empty(result.value(row, "delivery"));
  server.delivery = delivery == "agent" ? Delivery::agent : Delivery::ssh;
  const auto& port = result.value(row, "ssh_port");
  const auto id_number = id ? parse_number<int>(*id) : std::nullopt;
  const auto port_number = port ? parse_number<int>(*port) : std::nullopt;
  server.id = id_number.value_or(0);
  server.ssh_port = port ? port_number.value_or(0) : server.ssh_port;
  if (!id_number) {
    server.invalid_reason = "id is missing or not an integer";
  } else if (server.name.empty()) {
    server.invalid_reason = "name is empty";
  } else if (server.address.empty()) {
    server.invalid_reason = "ip_addr is empty";
  } else if (server.address.find('/') != std::string::npos) {
    server.invalid_reason = "ip_addr is a network, not a host: " + server.address;
  } else if (port && (server.ssh_port < 1 || server.ssh_port > 65535)) {
    server.invalid_reason = "ssh_port is not a port number: " + *port;
  } else if (delivery && *delivery != "ssh" && *delivery != "agent") {
    server.invalid_reason = "delivery is neither ssh nor agent: " + *delivery;
  }
  if (server.name.empty()) {
    server.name = "(id " + id.value_or("NULL") + ")";
  }
  return server;
}

}  // namespace

std::string app_servers_query(const std::string& qualified_table,
                              const std::set<std::string>& columns) {
  require_column(columns, {"node_id", "id"}, qualified_table);
  require_column(columns, {"node_name", "name"}, qualified_table);
  require_column(columns, {"ip_addr"}, qualified_table);
  // Text casts keep one parsing path for every column type (inet, varchar, int, bool).
  std::string sql = "SELECT " + select_column(columns, {"node_id", "id"}, "id");
  sql += ", " + select_column(columns, {"node_name", "name"}, "name");
  for (const char* column :
       {"ip_addr", "username", "application_name", "ssh_port", "config_dir", "reload_command",
        "admin_conninfo", "location", "pgbouncer_ini", "delivery"}) {
    sql += ", " + select_column(columns, {column}, column);
  }
  // Booleans as 'true'/'false' rather than PostgreSQL's terse 't'/'f'.
  for (const char* column : {"enabled", "auth_trust"}) {
    sql += columns.contains(column)
               ? std::string(", CASE WHEN ") + column + " THEN 'true' WHEN NOT " + column +
                     " THEN 'false' END AS " + column
               : std::string(", NULL::text AS ") + column;
  }
  return sql + " FROM " + qualified_table + " ORDER BY 2, 1";
}

std::vector<AppServer> app_servers_from(const QueryResult& result) {
  std::vector<AppServer> servers;
  servers.reserve(result.rows.size());
  for (std::size_t row = 0; row < result.rows.size(); ++row) {
    servers.push_back(app_server_from(result, row));
  }
  return servers;
}

std::set<std::string> table_columns(Database& db, const std::string& qualified_table) {
  const QueryResult result = db.query(
      "SELECT attname FROM pg_catalog.pg_attribute"
      " WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
      {qualified_table});
  std::set<std::string> columns;
  for (const auto& row : result.rows) {
    columns.insert(row.at(0).value_or(""));
  }
  return columns;
}

}  // namespace pgdeploy
