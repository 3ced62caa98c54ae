#include "report/report.hpp"

#include <algorithm>

namespace pgdeploy {

std::string describe(const HostOutcome& outcome) {
  const std::string host =
      outcome.name + " (" + outcome.address + (outcome.agent ? ", agent" : "") + ")";
  const std::string elapsed = std::to_string(outcome.duration.count()) + " ms";
  switch (outcome.result) {
    case HostResult::updated:
    case HostResult::unchanged:
    case HostResult::would_update:
      return host + ": " + result_name(outcome.result) + " in " + elapsed;
    case HostResult::refused:
      return host + ": REFUSED after " + elapsed + ": " + outcome.reason;
    case HostResult::failed:
      break;
  }
  return host + ": FAILED after " + elapsed + ": " + outcome.reason;
}

bool is_drifting(const HostOutcome& outcome) {
  return outcome.result == HostResult::would_update || outcome.result == HostResult::refused;
}

long count_results(const std::vector<HostOutcome>& outcomes, HostResult result) {
  return std::count_if(outcomes.begin(), outcomes.end(),
                       [result](const HostOutcome& o) { return o.result == result; });
}

std::string summarize(const DeployPlan& plan, const std::vector<HostOutcome>& outcomes) {
  std::string counts = std::to_string(count_results(outcomes, HostResult::updated)) + " updated";
  if (const long unchanged = count_results(outcomes, HostResult::unchanged); unchanged > 0) {
    counts += ", " + std::to_string(unchanged) + " unchanged";
  }
  if (const long drifting = count_results(outcomes, HostResult::would_update); drifting > 0) {
    counts += ", " + std::to_string(drifting) + " would update";
  }
  counts += ", " + std::to_string(count_results(outcomes, HostResult::failed)) + " failed";
  if (const long refused = count_results(outcomes, HostResult::refused); refused > 0) {
    counts += ", " + std::to_string(refused) + " refused";
  }
  return "cluster " + plan.cluster + ": primary " + describe(plan.primary) + " at " +
         describe(plan.target) + ", timeline " + std::to_string(plan.epoch.timeline) + "; " +
         std::to_string(outcomes.size()) + " app servers: " + counts;
}

ExitCode exit_code_for(const std::vector<HostOutcome>& outcomes, Mode mode) {
  switch (mode) {
    case Mode::dry_run:
      return ExitCode::ok;  // a preview; metadata problems exit earlier with their own code
    case Mode::check:
      // Nagios: 1 (WARNING) when any host is not current or cannot be read.
      return count_results(outcomes, HostResult::unchanged) == static_cast<long>(outcomes.size())
                 ? ExitCode::ok
                 : ExitCode::host_failed;
    case Mode::deploy:
      break;
  }
  if (count_results(outcomes, HostResult::refused) > 0) {
    return ExitCode::safety_refusal;
  }
  return count_results(outcomes, HostResult::failed) > 0 ? ExitCode::host_failed : ExitCode::ok;
}

std::string before_any_host(const std::string& message, Mode mode) {
  return mode == Mode::deploy ? message + "; nothing was pushed" : message;
}

}  // namespace pgdeploy
