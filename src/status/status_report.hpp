#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deploy/host_deployer.hpp"
#include "status/status.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// The status table: a line naming the primary and its epoch, one row per app server (name,
// address, the primary its fragment names, whether that is current, PgBouncer's live targets,
// the fragment's mtime), then one line per host whose state could not be read. With COLOUR
// (for a terminal), CURRENT and the stale-view warning are coloured.
std::string render_status(const DeployPlan& plan, const std::vector<HostStatus>& hosts,
                          bool colour = false);

// When a host holds a fragment of a newer timeline of the same system than PLAN's primary, this
// node's metadata is behind (an old primary that came back): says so and names the holder of
// the newest. nullopt otherwise. render_status and status_json show it first.
std::optional<std::string> stale_view_warning(const DeployPlan& plan,
                                              const std::vector<HostStatus>& hosts);

// The same as one JSON object: cluster, primary, hosts, exit_code, error. PLAN is null when the
// metadata could not be read.
std::string status_json(const std::string& cluster, const DeployPlan* plan,
                        const std::vector<HostStatus>& hosts, ExitCode code,
                        const std::string& error);

}  // namespace pgdeploy
