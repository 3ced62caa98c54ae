#pragma once

#include <string_view>

#include "cli/options.hpp"

namespace pgdeploy {

// True for the repmgr events after which writes may have to go elsewhere: standby_promote,
// repmgrd_failover_promote, standby_switchover, node_rejoin, standby_follow,
// repmgrd_failover_follow, primary_register.
bool event_moves_writes(std::string_view event);

// What a run started for an event does.
enum class EventDecision {
  deploy,      // no event (by hand, timer), or an event that can move writes and succeeded
  irrelevant,  // an event that cannot move writes: exit 0 at once
  failed       // the event reports failure (--success=0): exit 0, deploy nothing
};

// Decides from the event options alone, without touching the database or any host.
// Throws a usage error when --success is neither 1 nor 0.
EventDecision decide_for_event(const EventOptions& event);

}  // namespace pgdeploy
