#include "report/metrics.hpp"

#include <algorithm>

#include "report/report.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// VALUE as a label value: printable, then \, " and newline escaped as the format requires.
std::string label_value(const std::string& value) {
  std::string escaped;
  for (const char c : printable(value)) {
    if (c == '\\' || c == '"') {
      escaped += '\\';
    }
    escaped += c;
  }
  return escaped;
}

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::dry_run:
      return "dry-run";
    case Mode::check:
      return "check";
    case Mode::deploy:
      break;
  }
  return "deploy";
}

// Writes one metric family: its HELP and TYPE lines, then its samples.
class Exposition {
 public:
  explicit Exposition(const std::string& cluster)
      : cluster_label_("cluster=\"" + label_value(cluster) + "\"") {}

  void family(const char* name, const char* type, const char* help) {
    name_ = name;
    text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  // One sample of the current family; LABELS ("key=\"value\",...") after the cluster's.
  void sample(const std::string& value, const std::string& labels = "") {
    text_ +=
        name_ + "{" + cluster_label_ + (labels.empty() ? "" : "," + labels) + "} " + value + "\n";
  }
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  std::string cluster_label_;
  std::string name_;
  std::string text_;
};

void add_run(Exposition& out, const RunReport& report, Mode mode,
             std::chrono::system_clock::time_point ended) {
  const auto ended_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ended.time_since_epoch());
  out.family("pgdeploy_last_run_timestamp_seconds", "gauge",
             "Unix time at which the last run of the cluster ended.");
  out.sample(decimal_seconds(ended_ms));
  out.family("pgdeploy_last_run_exit_code", "gauge",
             "Exit status of the last run: 0 success (for --check, the monitoring state).");
  out.sample(std::to_string(report.exit_status), std::string("mode=\"") + mode_name(mode) + "\"");
  out.family("pgdeploy_last_run_duration_seconds", "gauge", "How long the last run took.");
  out.sample(decimal_seconds(report.duration));
}

void add_primary(Exposition& out, const DeployPlan& plan) {
  out.family("pgdeploy_primary_node_id", "gauge",
             "repmgr node id of the primary the last run pointed the hosts at.");
  out.sample(std::to_string(plan.primary.id), "node_name=\"" + label_value(plan.primary.name) +
                                                  "\",host=\"" + label_value(plan.target.host) +
                                                  "\",port=\"" + std::to_string(plan.target.port) +
                                                  "\"");
  out.family("pgdeploy_primary_timeline", "gauge", "Timeline of that primary.");
  out.sample(std::to_string(plan.epoch.timeline));
}

void add_hosts(Exposition& out, const std::vector<HostOutcome>& hosts) {
  const long current =
      count_results(hosts, HostResult::updated) + count_results(hosts, HostResult::unchanged);
  const long drifting = std::count_if(hosts.begin(), hosts.end(), is_drifting);
  out.family("pgdeploy_hosts", "gauge",
             "App servers by state after the last run: current (updated or unchanged), "
             "drifting (would update, or refused by fencing), failed.");
  out.sample(std::to_string(current), "state=\"current\"");
  out.sample(std::to_string(drifting), "state=\"drifting\"");
  out.sample(std::to_string(count_results(hosts, HostResult::failed)), "state=\"failed\"");
  out.family("pgdeploy_host_result", "gauge",
             "1 for the result of each app server in the last run.");
  for (const HostOutcome& host : hosts) {
    out.sample(
        "1", "host=\"" + label_value(host.name) + "\",result=\"" + result_name(host.result) + "\"");
  }
  out.family("pgdeploy_host_duration_seconds", "gauge",
             "How long each app server took in the last run.");
  for (const HostOutcome& host : hosts) {
    out.sample(decimal_seconds(host.duration), "host=\"" + label_value(host.name) + "\"");
  }
}

}  // namespace

std::string prometheus_metrics(const RunReport& report, Mode mode,
                               std::chrono::system_clock::time_point ended) {
  Exposition out(report.cluster);
  add_run(out, report, mode, ended);
  if (report.plan) {
    add_primary(out, *report.plan);
  }
  add_hosts(out, report.hosts);
  return out.text();
}

}  // namespace pgdeploy
