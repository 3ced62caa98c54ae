#include "pgdeploy/report.hpp"

#include <algorithm>

namespace pgdeploy {

std::string describe(const HostOutcome& outcome) {
  const std::string host = outcome.name + " (" + outcome.address + ")";
  const std::string elapsed = std::to_string(outcome.duration.count()) + " ms";
  if (outcome.result == HostResult::updated) {
    return host + ": updated in " + elapsed;
  }
  return host + ": FAILED after " + elapsed + ": " + outcome.reason;
}

std::string summarize(const DeployPlan& plan, const std::vector<HostOutcome>& outcomes) {
  const auto updated = std::count_if(outcomes.begin(), outcomes.end(), [](const HostOutcome& o) {
    return o.result == HostResult::updated;
  });
  const auto failed = static_cast<long>(outcomes.size()) - updated;
  return "cluster " + plan.cluster + ": primary node " + std::to_string(plan.primary.id) + " (" +
         plan.primary.name + ") at " + plan.target.host + ":" + std::to_string(plan.target.port) +
         "; " + std::to_string(outcomes.size()) + " app servers: " + std::to_string(updated) +
         " updated, " + std::to_string(failed) + " failed";
}

ExitCode exit_code_for(const std::vector<HostOutcome>& outcomes) {
  const bool any_failed = std::any_of(outcomes.begin(), outcomes.end(), [](const HostOutcome& o) {
    return o.result != HostResult::updated;
  });
  return any_failed ? ExitCode::host_failed : ExitCode::ok;
}

}  // namespace pgdeploy
