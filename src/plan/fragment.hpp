#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/endpoint.hpp"
#include "model/node.hpp"

namespace pgdeploy {

// PostgreSQL keeps the first NAMEDATALEN - 1 bytes of an application_name. PgBouncer sends
// what it is given, and with 4 KB (3 KB still work) it can no longer log in to the server.
constexpr std::size_t max_application_name_bytes = 63;

// Why an app server's application_name NAME is cut in its fragment (both lengths); nullopt
// when PostgreSQL keeps it whole.
std::optional<std::string> application_name_cut(std::string_view name);

// Read-only routing: NAME<suffix> entries sent to a standby.
struct ReadOnlyRoute {
  std::string suffix;
  Endpoint target;  // a running standby, or the primary when none runs
};

// One line of a fragment: the database key PgBouncer exposes, and where it sends it.
struct Route {
  std::string key;
  std::string dbname;
  Endpoint target;
  bool operator==(const Route&) const = default;
};

// What one app server's fragment is made of.
struct FragmentInput {
  std::string cluster;
  int primary_id = 0;
  std::string primary_name;
  Endpoint target;
  Epoch epoch;
  std::vector<std::string> databases;  // databases PgBouncer cannot represent are left out
  std::string application_name;        // empty: none; cut to max_application_name_bytes
  std::optional<ReadOnlyRoute> read_only = std::nullopt;
};

// The lines a fragment has, in order: every representable database once, sorted, to the
// target; then, with read_only, NAME<suffix> to the read-only target for every name whose
// key is still representable (at most 63 bytes) and not the name of a database itself.
std::vector<Route> routes_of(const FragmentInput& input);

// The read-only keys NAME<suffix> of DATABASES that are themselves names in DATABASES: the real
// database keeps the key, and routes_of leaves the read-only line out.
std::vector<std::string> shadowed_read_only_keys(const std::vector<std::string>& databases,
                                                 const std::string& suffix);

// Renders the [databases] fragment: its header (render_header), then one line per route
// (routes_of), with the application_name cut as PostgreSQL would (clip_utf8,
// max_application_name_bytes). Pure: the same input gives the same bytes. Throws
// std::invalid_argument when a target host or the application_name cannot be written in PgBouncer's
// syntax, or a port is outside 1..65535.
std::string render_fragment(const FragmentInput& input);

}  // namespace pgdeploy
