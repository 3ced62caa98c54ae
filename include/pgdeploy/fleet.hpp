#pragma once

#include <functional>
#include <vector>

#include "pgdeploy/cluster.hpp"
#include "pgdeploy/outcome.hpp"

namespace pgdeploy {

// Runs DEPLOY for every host on at most JOBS threads; outcomes come back in the hosts' order.
// DEPLOY must not throw and must be safe to call from several threads at once.
std::vector<HostOutcome> deploy_in_parallel(
    const std::vector<AppServer>& hosts, int jobs,
    const std::function<HostOutcome(const AppServer&)>& deploy);

}  // namespace pgdeploy
