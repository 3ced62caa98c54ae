#include "report/report.hpp"

#include <algorithm>

namespace pgdeploy {

std::string describe(const HostOutcome& outcome) {
  const std::string host = outcome.name + " (" + outcome.address + ")";
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

namespace {

long count(const std::vector<HostOutcome>& outcomes, HostResult result) {
  return std::count_if(outcomes.begin(), outcomes.end(),
                       [result](const HostOutcome& o) { return o.result == result; });
}

}  // namespace

std::string summarize(const DeployPlan& plan, const std::vector<HostOutcome>& outcomes) {
  std::string counts = std::to_string(count(outcomes, HostResult::updated)) + " updated";
  if (const long unchanged = count(outcomes, HostResult::unchanged); unchanged > 0) {
    counts += ", " + std::to_string(unchanged) + " unchanged";
  }
  if (const long drifting = count(outcomes, HostResult::would_update); drifting > 0) {
    counts += ", " + std::to_string(drifting) + " would update";
  }
  counts += ", " + std::to_string(count(outcomes, HostResult::failed)) + " failed";
  if (const long refused = count(outcomes, HostResult::refused); refused > 0) {
    counts += ", " + std::to_string(refused) + " refused";
  }
  return "cluster " + plan.cluster + ": primary " + describe(plan.primary) + " at " +
         describe(plan.target) + ", timeline " + std::to_string(plan.epoch.timeline) + "; " +
         std::to_string(outcomes.size()) + " app servers: " + counts;
}

namespace {

std::string names_with(const std::vector<HostOutcome>& outcomes,
                       std::initializer_list<HostResult> results) {
  std::string names;
  for (const HostOutcome& outcome : outcomes) {
    if (std::find(results.begin(), results.end(), outcome.result) != results.end()) {
      names += (names.empty() ? "" : ", ") + outcome.name;
    }
  }
  return names;
}

}  // namespace

std::string check_status_line(const std::vector<HostOutcome>& outcomes, ExitCode code,
                              const std::string& error) {
  if (!error.empty()) {
    return "PGDEPLOY UNKNOWN - " + error;
  }
  if (code == ExitCode::ok) {
    return "PGDEPLOY OK - " + std::to_string(outcomes.size()) + " app servers current";
  }
  std::string line = "PGDEPLOY WARNING -";
  if (const std::string drifting =
          names_with(outcomes, {HostResult::would_update, HostResult::refused});
      !drifting.empty()) {
    line += " drifting: " + drifting + ";";
  }
  if (const std::string unreadable = names_with(outcomes, {HostResult::failed});
      !unreadable.empty()) {
    line += " unreadable: " + unreadable + ";";
  }
  line.pop_back();
  return line;
}

ExitCode exit_code_for(const std::vector<HostOutcome>& outcomes, Mode mode) {
  switch (mode) {
    case Mode::dry_run:
      return ExitCode::ok;  // a preview; metadata problems exit earlier with their own code
    case Mode::check:
      // Nagios: 1 (WARNING) when any host is not current or cannot be read.
      return count(outcomes, HostResult::unchanged) == static_cast<long>(outcomes.size())
                 ? ExitCode::ok
                 : ExitCode::host_failed;
    case Mode::deploy:
      break;
  }
  if (count(outcomes, HostResult::refused) > 0) {
    return ExitCode::safety_refusal;
  }
  return count(outcomes, HostResult::failed) > 0 ? ExitCode::host_failed : ExitCode::ok;
}

}  // namespace pgdeploy
