#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/outcome.hpp"
#include "plan/deploy_plan.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// Everything a run reports, for --json.
struct RunReport {
  std::string cluster;
  std::optional<DeployPlan> plan;  // unset when the run ended before the metadata was read
  std::vector<HostOutcome> hosts;
  ExitCode exit_code = ExitCode::ok;
  std::string error;                      // why the run ended early, when it did
  std::chrono::milliseconds duration{0};  // of the whole run
  int exit_status = 0;  // the program's: exit_code's, or the monitoring state's for --check
};

// The report as one JSON object: cluster, primary (id, name, host, port, epoch), hosts (name,
// address, action, reason, duration_ms, and diff for --dry-run), exit_code, error.
std::string json_report(const RunReport& report);

// The plan's primary: id, name, host, port, epoch (timeline, lsn).
nlohmann::ordered_json primary_json(const DeployPlan& plan);

}  // namespace pgdeploy
