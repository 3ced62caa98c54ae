#include "report/json_report.hpp"

#include <cstdio>

#include "util/text.hpp"

namespace pgdeploy {
std::string primary_json(const DeployPlan& plan) {
  return "{\"id\": " + std::to_string(plan.primary.id) +
         ", \"name\": " + json_string(plan.primary.name) +
         ", \"host\": " + json_string(plan.target.host) +
         ", \"port\": " + std::to_string(plan.target.port) + R"(, "epoch": {"timeline": )" +
         std::to_string(plan.epoch.timeline) + ", \"lsn\": " + json_string(plan.epoch.lsn) + "}}";
}

namespace {

std::string host_json(const HostOutcome& host) {
  std::string json = "{\"name\": " + json_string(host.name) +
                     ", \"address\": " + json_string(host.address) +
                     ", \"action\": " + json_string(result_name(host.result)) +
                     ", \"reason\": " + json_string(host.reason) +
                     ", \"duration_ms\": " + std::to_string(host.duration.count()) +
                     ", \"delivery\": " + (host.agent ? "\"agent\"" : "\"ssh\"");
  if (!host.diff.empty()) {
    json += ", \"diff\": " + json_string(host.diff);
  }
  return json + "}";
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string json = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        json += "\\\"";
        break;
      case '\\':
        json += "\\\\";
        break;
      case '\n':
        json += "\\n";
        break;
      case '\t':
        json += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          json += "\\u" + padded_digits(static_cast<unsigned char>(c), 16, 4);
        } else {
          json += c;  // UTF-8 passes through; JSON text is UTF-8
        }
    }
  }
  return json + "\"";
}

std::string json_report(const RunReport& report) {
  std::string hosts;
  for (const HostOutcome& host : report.hosts) {
    hosts += (hosts.empty() ? "\n    " : ",\n    ") + host_json(host);
  }
  return "{\n  \"cluster\": " + json_string(report.cluster) +
         ",\n  \"primary\": " + (report.plan ? primary_json(*report.plan) : "null") +
         ",\n  \"hosts\": [" + hosts + (hosts.empty() ? "]" : "\n  ]") +
         ",\n  \"exit_code\": " + std::to_string(report.exit_status) +
         ",\n  \"error\": " + (report.error.empty() ? "null" : json_string(report.error)) + "\n}\n";
}

}  // namespace pgdeploy
