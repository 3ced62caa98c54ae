#pragma once

#include <string>
#include <vector>

#include "model/app_server.hpp"
#include "model/endpoint.hpp"
#include "model/node.hpp"

namespace pgdeploy {

// Which generation of repmgr keeps the metadata.
enum class Layout {
  repmgr4,  // repmgr 4.x/5.x: schema repmgr, table nodes
  repmgr3   // repmgr 1.x-3.x: schema repmgr_<cluster>, table repl_nodes
};

// Everything read from the metadata that one run acts on.
struct ClusterState {
  Layout layout = Layout::repmgr4;
  std::string schema;
  Node primary;
  Endpoint primary_endpoint;           // where app servers must send writes: where the primary
                                       // was checked, or with -P its node_public_info row
  Epoch epoch;                         // read on the primary
  std::vector<std::string> databases;  // non-template databases of the primary
  std::vector<AppServer> app_servers;  // enabled and disabled, ordered by name
  std::vector<Standby> standbys;       // running standbys; read only for --ro-suffix
  std::vector<Node> other_nodes;       // active nodes but the primary and witnesses
  std::string userlist;                // PgBouncer auth_file lines; read only for --sync-userlist
};

}  // namespace pgdeploy
