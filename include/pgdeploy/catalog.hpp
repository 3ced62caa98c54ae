#pragma once

#include <string>

#include "pgdeploy/cluster.hpp"
#include "pgdeploy/database.hpp"

namespace pgdeploy {

// Reads repmgr's metadata and app_servers from one database connection. Every problem that
// makes the metadata unsafe to act on is raised here, before any app server is contacted.
class Catalog {
 public:
  Catalog(Database& db, std::string cluster);

  // Detects the layout, finds the single active primary, its endpoint (from node_public_info
  // when public_net), the databases, the app servers and the active standbys (candidates for
  // read-only routes; whether they run is checked later). Throws metadata errors (exit 3) and
  // safety refusals (exit 4, several active primaries).
  ClusterState read(bool public_net);

 private:
  Layout detect_layout();
  Node read_primary(const std::string& table, Layout layout);
  std::vector<Standby> read_standbys(const ClusterState& state, bool public_net);
  Endpoint read_public_endpoint(const std::string& schema, const Node& primary);
  std::vector<std::string> read_databases();
  bool table_exists(const std::string& schema, const std::string& table);
  std::string qualified(const std::string& schema, const std::string& table);

  Database& db_;
  std::string cluster_;
};

}  // namespace pgdeploy
