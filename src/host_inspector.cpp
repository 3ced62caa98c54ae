#include "pgdeploy/host_inspector.hpp"

#include <chrono>

#include "pgdeploy/fragment.hpp"
#include "pgdeploy/host_steps.hpp"
#include "pgdeploy/remote_install.hpp"
#include "pgdeploy/unified_diff.hpp"

namespace pgdeploy {
namespace {

// The holder named in a fragment's "; Primary: ..." line.
std::string holder_of(const std::string& fragment) {
  constexpr std::string_view prefix = "; Primary: ";
  const std::size_t start = fragment.find(std::string("\n") + std::string(prefix));
  if (start == std::string::npos) {
    return "(unnamed)";
  }
  const std::size_t from = start + 1 + prefix.size();
  return fragment.substr(from, fragment.find('\n', from) - from);
}

}  // namespace

HostInspector::HostInspector(const DeployPlan& plan, HostConnector& ssh) : plan_(plan), ssh_(ssh) {}

HostOutcome HostInspector::inspect(const AppServer& host) {
  return visit_host(host, plan_, [&](HostOutcome& outcome) {
    check_row(host);
    compare(host, read_fragment(host), outcome);
  });
}

std::optional<std::string> HostInspector::read_fragment(const AppServer& host) {
  return read_remote_fragment(*ssh_.connect(host), host.config_dir, plan_.cluster + ".ini");
}

void HostInspector::compare(const AppServer& host, const std::optional<std::string>& current,
                            HostOutcome& outcome) {
  const std::string fragment = render_for(plan_, host);
  if (current && same_fragment(*current, fragment)) {
    outcome.result = HostResult::unchanged;
    return;
  }
  const std::string path = host.config_dir + "/" + plan_.cluster + ".ini";
  if (const auto held = current ? fragment_timeline(*current) : std::nullopt;
      plan_.fence && held && *held > plan_.epoch.timeline) {
    outcome.result = HostResult::refused;
    outcome.reason = refusal_reason(
        HostRefusal(path + " is held by the primary " + holder_of(*current) + " on timeline " +
                    std::to_string(*held) + ", newer than " + std::to_string(plan_.epoch.timeline)),
        plan_);
    return;
  }
  outcome.result = HostResult::would_update;
  outcome.diff = unified_diff(current.value_or(""), fragment,
                              host.name + ":" + path + (current ? "" : " (absent)"),
                              host.name + ":" + path + " (new)");
}

}  // namespace pgdeploy
