#pragma once

#include <string>
#include <vector>

#include "pgdeploy/cluster.hpp"
#include "pgdeploy/conninfo.hpp"

namespace pgdeploy {

// What one app server's fragment is made of.
struct FragmentInput {
  std::string cluster;
  int primary_id = 0;
  std::string primary_name;
  Endpoint target;
  Epoch epoch;
  std::vector<std::string> databases;  // databases PgBouncer cannot represent are left out
  std::string application_name;        // empty: none
};

// Renders the [databases] fragment: a comment header, then one line per representable database,
// sorted by name. Pure: the same input gives the same bytes. Throws std::invalid_argument when
// the target host or the application_name cannot be written in PgBouncer's syntax, or the
// port is outside 1..65535.
std::string render_fragment(const FragmentInput& input);

}  // namespace pgdeploy
