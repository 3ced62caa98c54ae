#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/endpoint.hpp"

namespace pgdeploy {

// Which generation of repmgr keeps the metadata.
enum class Layout {
  repmgr4,  // repmgr 4.x/5.x: schema repmgr, table nodes
  repmgr3   // repmgr 1.x-3.x: schema repmgr_<cluster>, table repl_nodes
};

// Where the primary's history stands, read from the primary itself. Timelines only grow: a
// promotion starts a new one, so a fragment written for a higher timeline was written for a
// primary that superseded a lower one.
// The system identifier (pg_control_system()) names the cluster itself: every node cloned from
// one initdb shares it, a rebuilt cluster gets a new one.
struct Epoch {
  int timeline = 0;
  std::string lsn;                // for information: pg_current_wal_lsn() when it was read
  std::string system_identifier;  // decimal; empty only in plans built by tests
};

// A database node as repmgr describes it.
struct Node {
  int id = 0;
  std::string name;
  std::string conninfo;  // repmgr's own login; may hold a password: never log it
};

// "node 2 (node2)", as messages name a node.
inline std::string describe(const Node& node) {
  return "node " + std::to_string(node.id) + " (" + node.name + ")";
}

// A standby that answered and is in recovery, for read-only routing.
struct Standby {
  Node node;
  Endpoint endpoint;
  std::string location;  // repmgr's location; empty when unknown
};

// One row of app_servers, with the defaults of absent columns applied.
struct AppServer {
  int id = 0;
  std::string name;
  std::string address;
  std::string username = "postgres";
  std::string application_name;
  bool enabled = true;
  bool auth_trust = false;
  int ssh_port = 22;
  std::string config_dir = "/etc/pgbouncer/databases";
  std::optional<std::string> reload_command;  // nullopt: the default reload command
  std::optional<std::string> admin_conninfo;  // nullopt: reload over SSH, no verification
  std::string location;                       // optional column: prefer standbys there
  std::string pgbouncer_ini = "/etc/pgbouncer/pgbouncer.ini";  // read only by pgdeploy doctor
  std::string invalid_reason;  // non-empty: the row is unusable, and why
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
