#pragma once

#include <optional>
#include <string>

#include "metadata/repmgr_config.hpp"

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

// What makes the hook run a second after a promotion rather than at once (repmgr 4 and later on
// PostgreSQL 12 or later): without service_promote_command, `repmgr standby promote` promotes
// with pg_promote() without waiting, finds the server still in recovery and sleeps
// promote_check_interval (whole seconds, at least 1) before it looks again and runs the hook;
// with it (pg_ctl -w promote returns once the server is promoted) the first look finds the
// primary. nullopt when CONFIG sets service_promote_command.
std::optional<std::string> promote_delay_problem(const RepmgrConfig& config);

// The service_promote_command line to suggest for CONFIG's data directory.
std::string promote_command_fix(const RepmgrConfig& config);

}  // namespace pgdeploy
