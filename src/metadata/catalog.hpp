#pragma once

#include <string>

#include "model/cluster.hpp"
#include "postgres/database.hpp"

namespace pgdeploy {

// Reads repmgr's metadata and app_servers from one database connection. Every problem that
// makes the metadata unsafe to act on is raised here, before any app server is contacted.
class Catalog {
 public:
  Catalog(Database& db, std::string cluster);

  // Detects the layout, finds the single active primary, its endpoint when public_net (from
  // node_public_info; else the caller takes it from the connection that checks the primary,
  // and only what is wrong in repmgr's conninfo before connecting is refused here), the
  // databases, the app servers and, with_standbys, the active standbys
  // (candidates for read-only routes; whether they run is checked later). Throws metadata
  // errors (exit 3) and
  // safety refusals (exit 4, several active primaries).
  ClusterState read(bool public_net, bool with_standbys = false);

  // The steps of read, for pgdeploy doctor, which reports each one on its own.

  // Which repmgr keeps the metadata; throws a metadata error when neither does.
  Layout detect_layout();
  // repmgr for repmgr 4/5, repmgr_<cluster> for repmgr 1-3.
  [[nodiscard]] std::string schema_of(Layout layout) const;
  // The single active primary; metadata error for none, safety refusal for several.
  Node read_primary(const std::string& schema, Layout layout);
  // Where app servers send writes with --public-net: the node's row in node_public_info.
  Endpoint public_endpoint(const std::string& schema, const Node& primary);
  // The column of node_public_info that holds the node id: node_id (sql/node_public_info.sql)
  // or id (the original agent's table). Throws a metadata error when the table is missing or
  // has neither, or no conninfo column.
  std::string public_id_column(const std::string& schema);
  // Every app_servers row; metadata error when the table or a required column is missing.
  std::vector<AppServer> read_app_servers(const std::string& schema);

 private:
  void require_app_servers(const std::string& schema);
  std::vector<AppServer> query_app_servers(const std::string& schema);
  std::vector<Standby> read_standbys(const ClusterState& state, bool public_net);
  // Active nodes but PRIMARY and witnesses: each must not accept writes.
  std::vector<Node> read_other_nodes(const std::string& schema, Layout layout, const Node& primary);
  std::vector<std::string> read_databases();
  bool table_exists(const std::string& schema, const std::string& table);
  std::string qualified(const std::string& schema, const std::string& table);

  Database& db_;
  std::string cluster_;
};

}  // namespace pgdeploy
