#include "deploy/host_inspector.hpp"

#include <chrono>

#include "deploy/host_steps.hpp"
#include "deploy/include_check.hpp"
#include "model/app_server.hpp"
#include "plan/fragment.hpp"
#include "plan/fragment_file.hpp"
#include "plan/fragment_format.hpp"
#include "ssh/remote_install.hpp"
#include "util/deadline.hpp"
#include "util/unified_diff.hpp"

namespace pgdeploy {
HostInspector::HostInspector(const DeployPlan& plan, HostConnector& ssh, TimeLimits limits)
    : plan_(plan), ssh_(ssh), limits_(std::move(limits)) {}

HostOutcome HostInspector::inspect(const AppServer& host) {
  return visit_host(host, plan_, limits_, [&](HostOutcome& outcome, HostDeadline& deadline) {
    check_row(host);
    const auto remote = ssh_.connect(host, deadline);
    deadline.begin("read");
    const auto fragment =
        read_remote_fragment(*remote, host.config_dir, fragment_file_name(plan_.cluster));
    compare(host, fragment ? std::optional(fragment->text) : std::nullopt, outcome);
    if (outcome.result != HostResult::refused) {
      check_served(*remote, host, outcome);
    }
  });
}

void HostInspector::check_served(RemoteHost& remote, const AppServer& host, HostOutcome& outcome) {
  const auto why = unserved_fragment(remote, host, fragment_path(host.config_dir, plan_.cluster));
  if (why) {
    outcome.result = HostResult::failed;
    outcome.reason = "pgbouncer: " + *why;
    outcome.unserved = true;
  }
}

void HostInspector::compare(const AppServer& host, const std::optional<std::string>& current,
                            HostOutcome& outcome) {
  const std::string fragment = render_for(plan_, host);
  if (current && same_fragment(*current, fragment)) {
    outcome.result = HostResult::unchanged;
    return;
  }
  const std::string path = fragment_path(host.config_dir, plan_.cluster);
  const FragmentFile in_place = parse_fragment_file(current.value_or(""));
  if (plan_.fence) {
    if (const auto refusal = fencing_refusal(in_place, path, plan_.primary, plan_.epoch)) {
      outcome.result = HostResult::refused;
      outcome.reason = refusal_reason(HostRefusal(*refusal), plan_);
      return;
    }
  }
  outcome.result = HostResult::would_update;
  outcome.elsewhere = !in_place.target || !(*in_place.target == plan_.target);
  outcome.diff = unified_diff(current.value_or(""), fragment,
                              host.name + ":" + path + (current ? "" : " (absent)"),
                              host.name + ":" + path + " (new)");
}

}  // namespace pgdeploy
