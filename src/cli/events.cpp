#include "cli/events.hpp"

#include <algorithm>
#include <array>

#include "util/errors.hpp"

namespace pgdeploy {

bool event_moves_writes(std::string_view event) {
  // See repmgr's event notification documentation: the node where each fires is the one
  // whose view of the cluster just changed.
  constexpr std::array<std::string_view, 7> moving{
      "standby_promote", "repmgrd_failover_promote", "standby_switchover", "node_rejoin",
      "standby_follow",  "repmgrd_failover_follow",  "primary_register"};
  return std::find(moving.begin(), moving.end(), event) != moving.end();
}

EventDecision decide_for_event(const EventOptions& event) {
  if (!event.event) {
    return EventDecision::deploy;
  }
  if (!event_moves_writes(*event.event)) {
    return EventDecision::irrelevant;
  }
  if (!event.success || *event.success == "1") {
    return EventDecision::deploy;
  }
  if (*event.success == "0") {
    return EventDecision::failed;
  }
  throw usage_error("--success must be 1 or 0 (repmgr's %s), not \"" + *event.success + "\"");
}

}  // namespace pgdeploy
