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
// Pure: no I/O.

#include <map>
#include <optional>
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

// "PREFIX/CLUSTER/": every key of the cluster starts with it.
std::string cluster_prefix(const std::string& prefix, const std::string& cluster);

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
