#pragma once

#include <chrono>
#include <string>

#include "cli/options.hpp"
#include "report/json_report.hpp"

namespace pgdeploy {

// The run REPORT in Prometheus' text exposition format, for node_exporter's textfile collector:
// when the run ENDED and how (exit status, mode, duration), the primary's node and timeline
// (when the metadata was read), the hosts current, drifting and failed, and per host its result
// and duration. Every series carries the cluster's name as label `cluster`; label values are
// escaped as the format requires, control characters and invalid UTF-8 as printable() shows
// them.
std::string prometheus_metrics(const RunReport& report, Mode mode,
                               std::chrono::system_clock::time_point ended);

}  // namespace pgdeploy
