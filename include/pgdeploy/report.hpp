#pragma once

#include <string>
#include <vector>

#include "pgdeploy/errors.hpp"
#include "pgdeploy/host_deployer.hpp"
#include "pgdeploy/outcome.hpp"

namespace pgdeploy {

// One line for one host: "app1 (10.0.0.5): updated in 12 ms" or
// "app1 (10.0.0.5): FAILED after 12 ms: step: why".
std::string describe(const HostOutcome& outcome);

// The closing line of a run.
std::string summarize(const DeployPlan& plan, const std::vector<HostOutcome>& outcomes);

// 4 when any host was refused (fencing), else 1 when any failed, else 0.
ExitCode exit_code_for(const std::vector<HostOutcome>& outcomes);

}  // namespace pgdeploy
