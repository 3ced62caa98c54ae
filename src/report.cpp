#include "pgdeploy/report.hpp"

#include <algorithm>

namespace pgdeploy {

std::string describe(const HostOutcome& outcome) {
  const std::string host = outcome.name + " (" + outcome.address + ")";
  const std::string elapsed = std::to_string(outcome.duration.count()) + " ms";
  switch (outcome.result) {
    case HostResult::updated:
      return host + ": updated in " + elapsed;
    case HostResult::refused:
      return host + ": REFUSED after " + elapsed + ": " + outcome.reason;
    case HostResult::failed:
      break;
  }
  return host + ": FAILED after " + elapsed + ": " + outcome.reason;
}

namespace {

long count(const std::vector<HostOutcome>& outcomes, HostResult result) {
  return std::count_if(outcomes.begin(), outcomes.end(),
                       [result](const HostOutcome& o) { return o.result == result; });
}

}  // namespace

std::string summarize(const DeployPlan& plan, const std::vector<HostOutcome>& outcomes) {
  std::string summary =
      "cluster " + plan.cluster + ": primary node " + std::to_string(plan.primary.id) + " (" +
      plan.primary.name + ") at " + plan.target.host + ":" + std::to_string(plan.target.port) +
      ", timeline " + std::to_string(plan.epoch.timeline) + "; " +
      std::to_string(outcomes.size()) + " app servers: " +
      std::to_string(count(outcomes, HostResult::updated)) + " updated, " +
      std::to_string(count(outcomes, HostResult::failed)) + " failed";
  if (const long refused = count(outcomes, HostResult::refused); refused > 0) {
    summary += ", " + std::to_string(refused) + " refused";
  }
  return summary;
}

ExitCode exit_code_for(const std::vector<HostOutcome>& outcomes) {
  if (count(outcomes, HostResult::refused) > 0) {
    return ExitCode::safety_refusal;
  }
  return count(outcomes, HostResult::failed) > 0 ? ExitCode::host_failed : ExitCode::ok;
}

}  // namespace pgdeploy
