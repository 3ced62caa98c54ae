#pragma once

// The cluster's state as pgdeploy publishes it in etcd, one JSON value per key under
// PREFIX/CLUSTER/ (README: "Publishing to etcd"):
//   epoch             {"system_identifier", "timeline", "lsn", "primary": {"id", "name"}}
//                     the key every publish compares: the fencing of the store
//   primary           {"id", "name", "host", "port"}: where writes go
//   databases         {"names": [...], "ro_suffix": S or null, "standbys": [{"id", "name",
//                     "host", "port", "location"}]}: the routes of the fragment
//   app_servers/NAME  {"name", "application_name", "config_dir", "location", "auth_trust"}
//                     one per enabled row; no conninfo or command, which may hold secrets
//   agents/NAME       written by the agent of app server NAME (pgdeploy agent), on a lease
//                     (TTL 30 s renewed while it runs; 60 s, not renewed, with --once):
//                     {"epoch": {"system_identifier", "timeline", "lsn", "primary_id"},
//                      "revision": R, "result": "updated"|"unchanged"|"refused"|"failed",
//                      "reason": "...", "time": "YYYY-MM-DDTHH:MM:SSZ"}
//                     R: the store revision of the state it applied (or tried to); the epoch is
//                     that state's, absent (null) when the state could not be read
// Pure: no I/O.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/app_server.hpp"
#include "plan/deploy_plan.hpp"
#include "plan/fragment_format.hpp"

namespace pgdeploy {

// The keys' names below the cluster's prefix.
inline constexpr const char* epoch_key = "epoch";
inline constexpr const char* primary_key = "primary";
inline constexpr const char* databases_key = "databases";
inline constexpr const char* app_servers_dir = "app_servers/";
inline constexpr const char* agents_dir = "agents/";

// A value under the prefix that is not what pgdeploy wrote (not JSON, a field missing or of
// another type): the message names the key.
class StateProblem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What an agent needs of the store: the plan every app server shares, and its own row.
struct PublishedState {
  DeployPlan plan;
  AppServer host;
};

// Reads VALUES (by their key below the cluster's prefix) back into the plan of CLUSTER and the
// row of app server NAME: the inverse of state_values. Throws StateProblem naming the key
// (PREFIX_TEXT + key) of the first value that is missing or not what pgdeploy wrote.
PublishedState parse_published_state(const std::map<std::string, std::string>& values,
                                     const std::string& cluster, const std::string& name,
                                     const std::string& prefix_text);

// "PREFIX/CLUSTER/": every key of the cluster starts with it.
std::string cluster_prefix(const std::string& prefix, const std::string& cluster);

// The keys pgdeploy publishes below BASE (a cluster_prefix): from just after agents/ to the
// end of BASE. Every published key sorts after "agents/", so this range is all of them and
// none of the agents' acknowledgements, which a publisher or an agent reading the state would
// otherwise receive by the hundred.
struct KeyRange {
  std::string from;
  std::string to;  // not included
};
KeyRange published_range(const std::string& base);

// The values of one publish by their key below the cluster's prefix.
std::map<std::string, std::string> state_values(const DeployPlan& plan,
                                                const std::vector<AppServer>& hosts);

// The epoch value as fencing reads it: holder, primary and epoch, with header_problem set
// when VALUE is not an epoch pgdeploy wrote.
FragmentHeader parse_stored_epoch(std::string_view value);

// True when the stored values say what the new ones say: equal, the epoch's LSN aside (it moves
// on with every write on the primary and is for information only).
bool same_state(const std::map<std::string, std::string>& stored,
                const std::map<std::string, std::string>& wanted);

}  // namespace pgdeploy
