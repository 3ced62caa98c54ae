#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgdeploy/cluster.hpp"
#include "pgdeploy/host_deployer.hpp"
#include "pgdeploy/options.hpp"
#include "pgdeploy/primary_check.hpp"
#include "pgdeploy/repmgr_config.hpp"

namespace pgdeploy {

// From the command line and the metadata to what every host of one run is pointed at.

// The local repmgr database: -p, else repmgr.conf's conninfo, else the default.
std::string local_conninfo(const Options& options, const std::optional<RepmgrConfig>& config);

// Throws a metadata error naming where CONNINFO came from (-p, repmgr.conf, the default) when
// libpq cannot parse it; the message quotes none of it.
void check_local_conninfo(const Options& options, const std::string& conninfo);

// Opens PostgreSQL connections bounded by TIMEOUT_SECONDS, logging each (password redacted).
DatabaseOpener database_opener(int timeout_seconds);

// Reads the metadata where it is current (a writable node), checks that the primary it names is
// writable and reads its epoch there. Throws metadata errors and safety refusals.
ClusterState read_cluster(const Options& options, const std::string& conninfo);

// The plan for every host; warns about each database PgBouncer cannot route, and about --force.
DeployPlan plan_for(const Options& options, const ClusterState& state);

// The enabled app servers; the disabled ones are left alone (one debug line each). Warns about
// each application_name longer than PostgreSQL keeps.
std::vector<AppServer> enabled_servers(const ClusterState& state);

}  // namespace pgdeploy
