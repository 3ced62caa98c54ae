#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "model/outcome.hpp"
#include "plan/deploy_plan.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// One line for one host: "app1 (10.0.0.5): updated in 12 ms" or
// "app1 (10.0.0.5): FAILED after 12 ms: step: why".
std::string describe(const HostOutcome& outcome);

// The closing line of a run.
std::string summarize(const DeployPlan& plan, const std::vector<HostOutcome>& outcomes);

// How many of OUTCOMES ended with RESULT.
long count_results(const std::vector<HostOutcome>& outcomes, HostResult result);

// True for a host whose fragment is not what this run would write: --dry-run and --check's
// would-update, or a fragment fencing refused.
bool is_drifting(const HostOutcome& outcome);

// Deploying: 4 when any host was refused (fencing), else 1 when any failed, else 0.
// --check: 0 when every host is unchanged (current), else 1 (its exit status is check_state's,
// report/check_line.hpp). --dry-run: 0.
ExitCode exit_code_for(const std::vector<HostOutcome>& outcomes, Mode mode = Mode::deploy);

// MESSAGE of an error that ended a run before any host was contacted, as true for MODE: a
// deploy adds "; nothing was pushed"; --dry-run and --check, which never push, leave it as is.
std::string before_any_host(const std::string& message, Mode mode);

}  // namespace pgdeploy
