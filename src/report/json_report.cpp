#include "report/json_report.hpp"

#include "report/json_text.hpp"

namespace pgdeploy {

ordered_json primary_json(const DeployPlan& plan) {
  return {{"id", plan.primary.id},
          {"name", plan.primary.name},
          {"host", plan.target.host},
          {"port", plan.target.port},
          {"epoch", {{"timeline", plan.epoch.timeline}, {"lsn", plan.epoch.lsn}}}};
}

namespace {

ordered_json host_json(const HostOutcome& host) {
  ordered_json json = {{"name", host.name},
                       {"address", host.address},
                       {"action", result_name(host.result)},
                       {"reason", host.reason},
                       {"duration_ms", host.duration.count()},
                       {"delivery", host.agent ? "agent" : "ssh"}};
  if (!host.diff.empty()) {
    json["diff"] = host.diff;
  }
  return json;
}

}  // namespace

std::string json_report(const RunReport& report) {
  ordered_json hosts = ordered_json::array();
  for (const HostOutcome& host : report.hosts) {
    hosts.push_back(host_json(host));
  }
  return to_json_lines({{"cluster", report.cluster},
                        {"primary", report.plan ? primary_json(*report.plan) : nullptr},
                        {"hosts", std::move(hosts)},
                        {"exit_code", report.exit_status},
                        {"error", report.error.empty() ? nullptr : ordered_json(report.error)}});
}

}  // namespace pgdeploy
