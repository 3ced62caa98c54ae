#include "cli/event_gate.hpp"

#include <spdlog/spdlog.h>

#include <string>

#include "cli/events.hpp"

namespace pgdeploy {

std::optional<ExitCode> skip_for_event(const EventOptions& event) {
  switch (decide_for_event(event)) {
    case EventDecision::irrelevant:
      spdlog::debug("repmgr event {} cannot move writes; nothing to do", *event.event);
      return ExitCode::ok;
    case EventDecision::failed:
      spdlog::warn("repmgr event {} on node {} reports failure (--success=0); nothing deployed",
                   *event.event, event.node_id ? std::to_string(*event.node_id) : "?");
      return ExitCode::ok;
    case EventDecision::deploy:
      break;
  }
  return std::nullopt;
}

}  // namespace pgdeploy
