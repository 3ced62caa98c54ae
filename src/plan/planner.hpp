#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "model/cluster.hpp"
#include "plan/deploy_plan.hpp"

namespace pgdeploy {

// From the command line and the metadata to what every host of one run is pointed at.

// The plan for every host, without extra files; warns about each database PgBouncer cannot
// route, and about --force. Reads nothing: status and doctor plan with it too.
DeployPlan plan_for(const Options& options, const ClusterState& state);

// Adds the files --sync-userlist and --sync-pgpass push (secrets: only a deploy reads them).
// Throws a usage error when one cannot be read.
void add_extra_files(DeployPlan& plan, const Options& options, const ClusterState& state);

// The enabled app servers; the disabled ones are left alone (one debug line each). Warns about
// each application_name longer than PostgreSQL keeps.
std::vector<AppServer> enabled_servers(const ClusterState& state);

// The rows of HOSTS that DELIVERY serves, in their order.
std::vector<AppServer> delivered_by(const std::vector<AppServer>& hosts, Delivery delivery);

// "app1, app2": the names of HOSTS, for messages.
std::string names_of(const std::vector<AppServer>& hosts);

}  // namespace pgdeploy
