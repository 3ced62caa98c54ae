#include "metadata/catalog.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "metadata/app_servers.hpp"
#include "metadata/primary_check.hpp"
#include "model/app_server.hpp"
#include "pgdeploy/version.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

std::string describe_nodes(const QueryResult& nodes) {
  std::string text;
  for (std::size_t row = 0; row < nodes.rows.size(); ++row) {
    text += text.empty() ? "" : ", ";
    text += "node " + nodes.value(row, "id").value_or("?") + " (" +
            nodes.value(row, "name").value_or("?") + ")";
  }
  return text;
}

Node node_from(const QueryResult& nodes) {
  Node node;
  node.id = std::stoi(nodes.value(0, "id").value_or("0"));
  node.name = nodes.value(0, "name").value_or("");
  node.conninfo = nodes.value(0, "conninfo").value_or("");
  return node;
}

// The endpoint of a conninfo, or a metadata error that names where it came from but never the
// conninfo itself: it may carry a password.
Endpoint endpoint_or_error(const std::string& conninfo, const std::string& origin) {
  try {
    return endpoint_of(parse_conninfo(conninfo));
  } catch (const std::invalid_argument& e) {
    throw metadata_error(origin + ": unusable conninfo: " + e.what());
  }
}

}  // namespace

Catalog::Catalog(Database& db, std::string cluster) : db_(db), cluster_(std::move(cluster)) {}

ClusterState Catalog::read(bool public_net, bool with_standbys) {
  ClusterState state;
  state.layout = detect_layout();
  state.schema = schema_of(state.layout);
  require_app_servers(state.schema);
  state.primary = read_primary(state.schema, state.layout);
  if (public_net) {
    state.primary_endpoint = public_endpoint(state.schema, state.primary);
  } else {
    check_primary_conninfo(state.primary);
  }
  state.other_nodes = read_other_nodes(state.schema, state.layout, state.primary);
  state.databases = read_databases();
  state.app_servers = query_app_servers(state.schema);
  if (with_standbys) {
    state.standbys = read_standbys(state, public_net);
  }
  return state;
}

std::string Catalog::schema_of(Layout layout) const {
  return layout == Layout::repmgr4 ? "repmgr" : "repmgr_" + cluster_;
}

std::vector<AppServer> Catalog::read_app_servers(const std::string& schema) {
  require_app_servers(schema);
  return query_app_servers(schema);
}

void Catalog::require_app_servers(const std::string& schema) {
  if (!table_exists(schema, "app_servers")) {
    throw metadata_error("table " + schema +
                         ".app_servers does not exist; create it with psql -f " + sql_dir +
                         "/app_servers.sql");
  }
}

std::vector<AppServer> Catalog::query_app_servers(const std::string& schema) {
  const std::string table = qualified(schema, "app_servers");
  return app_servers_from(db_.query(app_servers_query(table, table_columns(db_, table)), {}));
}

std::vector<Standby> Catalog::read_standbys(const ClusterState& state, bool public_net) {
  const bool current = state.layout == Layout::repmgr4;
  const QueryResult rows =
      db_.query(std::string("SELECT ") + (current ? "node_id" : "id") + "::text AS id, " +
                    (current ? "node_name" : "name") + " AS name, conninfo, " +
                    (current ? "location" : "NULL::text") + " AS location FROM " +
                    qualified(state.schema, current ? "nodes" : "repl_nodes") +
                    " WHERE active AND type = $1 ORDER BY 1::int",
                {"standby"});
  std::vector<Standby> standbys;
  for (std::size_t row = 0; row < rows.rows.size(); ++row) {
    const Node node{std::stoi(rows.value(row, "id").value_or("0")),
                    rows.value(row, "name").value_or(""), rows.value(row, "conninfo").value_or("")};
    try {
      const Endpoint endpoint = public_net ? public_endpoint(state.schema, node)
                                           : endpoint_of(parse_conninfo(node.conninfo));
      standbys.push_back({node, endpoint, rows.value(row, "location").value_or("")});
    } catch (const std::exception& e) {
      // A standby only matters for read-only routes; it never stops a deploy.
      spdlog::debug("standby {} left out of read-only routing: {}", describe(node), e.what());
    }
  }
  return standbys;
}

Layout Catalog::detect_layout() {
  if (table_exists("repmgr", "nodes")) {
    return Layout::repmgr4;
  }
  if (table_exists("repmgr_" + cluster_, "repl_nodes")) {
    return Layout::repmgr3;
  }
  throw metadata_error(
      "no repmgr metadata in this database: neither repmgr.nodes (repmgr 4/5) nor " +
      std::string("repmgr_") + cluster_ + ".repl_nodes (repmgr 1-3) exists");
}

Node Catalog::read_primary(const std::string& schema, Layout layout) {
  const bool current = layout == Layout::repmgr4;
  const std::string table = qualified(schema, current ? "nodes" : "repl_nodes");
  const std::string sql = std::string("SELECT ") + (current ? "node_id" : "id") + "::text AS id, " +
                          (current ? "node_name" : "name") + " AS name, conninfo FROM " + table +
                          " WHERE active AND type = $1 ORDER BY 1::int";
  const QueryResult primaries = db_.query(sql, {current ? "primary" : "master"});
  if (primaries.rows.empty()) {
    throw metadata_error("no active primary in " + table + " (check `repmgr cluster show`)");
  }
  if (primaries.rows.size() > 1) {
    throw safety_refusal(std::to_string(primaries.rows.size()) + " active primaries in " + table +
                         ": " + describe_nodes(primaries) +
                         "; refusing to choose (find the stale one with `repmgr cluster show`, "
                         "stop it and `repmgr node rejoin` it)");
  }
  return node_from(primaries);
}

std::vector<Node> Catalog::read_other_nodes(const std::string& schema, Layout layout,
                                            const Node& primary) {
  const bool current = layout == Layout::repmgr4;
  const QueryResult rows =
      db_.query(std::string("SELECT ") + (current ? "node_id" : "id") + "::text AS id, " +
                    (current ? "node_name" : "name") + " AS name, conninfo FROM " +
                    qualified(schema, current ? "nodes" : "repl_nodes") +
                    " WHERE active AND type <> $1 AND " + (current ? "node_id" : "id") +
                    " <> $2::int ORDER BY 1::int",
                {"witness", std::to_string(primary.id)});
  std::vector<Node> nodes;
  for (std::size_t row = 0; row < rows.rows.size(); ++row) {
    nodes.push_back({std::stoi(rows.value(row, "id").value_or("0")),
                     rows.value(row, "name").value_or(""),
                     rows.value(row, "conninfo").value_or("")});
  }
  return nodes;
}

std::string Catalog::public_id_column(const std::string& schema) {
  const std::string table = schema + ".node_public_info";
  if (!table_exists(schema, "node_public_info")) {
    throw metadata_error("--public-net: table " + table + " does not exist");
  }
  const QueryResult rows = db_.query(
      "SELECT attname::text FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass"
      " AND attnum > 0 AND NOT attisdropped AND attname IN ('node_id', 'id', 'conninfo')",
      {qualified(schema, "node_public_info")});
  std::vector<std::string> columns;
  for (const auto& row : rows.rows) {
    columns.push_back(row.front().value_or(""));
  }
  const auto has = [&](const char* name) {
    return std::find(columns.begin(), columns.end(), name) != columns.end();
  };
  if (!has("conninfo") || !(has("node_id") || has("id"))) {
    throw metadata_error("--public-net: table " + table +
                         " needs the columns node_id (or id) and conninfo");
  }
  return has("node_id") ? "node_id" : "id";
}

Endpoint Catalog::public_endpoint(const std::string& schema, const Node& primary) {
  const std::string id_column = public_id_column(schema);
  const QueryResult rows =
      db_.query("SELECT conninfo FROM " + qualified(schema, "node_public_info") + " WHERE " +
                    db_.quote_identifier(id_column) + " = $1::int",
                {std::to_string(primary.id)});
  if (rows.rows.empty() || !rows.rows.front().front()) {
    throw metadata_error("--public-net: " + schema + ".node_public_info has no row for primary " +
                         describe(primary));
  }
  return endpoint_or_error(*rows.rows.front().front(),
                           schema + ".node_public_info of " + describe(primary));
}

std::vector<std::string> Catalog::read_databases() {
  const QueryResult rows = db_.query(
      "SELECT datname FROM pg_catalog.pg_database WHERE NOT datistemplate ORDER BY datname", {});
  std::vector<std::string> names;
  for (const auto& row : rows.rows) {
    names.push_back(row.front().value_or(""));
  }
  return names;
}

bool Catalog::table_exists(const std::string& schema, const std::string& table) {
  const QueryResult rows =
      db_.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", {qualified(schema, table)});
  return rows.rows.at(0).at(0).value_or("f") == "t";
}

std::string Catalog::qualified(const std::string& schema, const std::string& table) {
  return db_.quote_identifier(schema) + "." + db_.quote_identifier(table);
}

}  // namespace pgdeploy
