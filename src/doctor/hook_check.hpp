#pragma once

#include <optional>
#include <string>

namespace pgdeploy {

// Checks of repmgr.conf's hook settings, for pgdeploy doctor. Each returns what is wrong, or
// nullopt when the setting will run pgdeploy for this cluster's failovers.

// event_notification_command must run pgdeploy with --event=%e, --success=%s and -c CLUSTER
// (in any of their spellings): without %e every event would deploy, without %s a failed
// promotion would, and without the cluster the run would fail.
std::optional<std::string> hook_command_problem(const std::optional<std::string>& command,
                                                const std::string& cluster);

// event_notifications, when set, is a comma-separated list that repmgr filters events by: it
// must hold the events that move writes to a new primary (standby_promote,
// repmgrd_failover_promote, standby_switchover), or pgdeploy never hears of a failover.
std::optional<std::string> event_notifications_problem(const std::optional<std::string>& list);

}  // namespace pgdeploy
