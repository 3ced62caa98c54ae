#pragma once

#include <string>

#include "model/endpoint.hpp"

namespace pgdeploy {

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

}  // namespace pgdeploy
