#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pgbouncer/admin_console.hpp"
#include "plan/deploy_plan.hpp"
#include "plan/fragment.hpp"

namespace pgdeploy {

// Switches HOST's PgBouncer to the plan's target through its admin console, after the new
// fragment is in place: (PAUSE the databases that move,) RELOAD, verify with SHOW DATABASES that
// every route of the fragment is loaded (PgBouncer 1.18 answers RELOAD with success even when
// loading failed), move the sessions of the databases that moved (see
// move_sessions_once_served), and
// RESUME what was paused. Throws HostError (step "verify", "admin console" or timeout) only
// when the routes are not served; PAUSE, RECONNECT or KILL refused for a database is a warning
// naming it. Paused databases are resumed on every path, even after DEADLINE passed (tried
// again when RESUME fails). Names its steps under DEADLINE: pause, reload, verify, sessions.
void switch_pgbouncer(AdminConsole& console, const DeployPlan& plan,
                      const std::vector<Route>& routes, HostDeadline& deadline,
                      const std::string& host);

// Moves the sessions of HOST's MOVED routes as the plan's --sessions says, once PgBouncer serves
// every one of ROUTES (asked for up to PATIENCE: a reload by signal takes effect a moment after
// the signal); false, nothing moved, when it did not. The default (automatic): KILL + RESUME
// for routes to the primary, whose old server is dead or demoted and whose pool may wait
// server_login_retry after trying it; RECONNECT for read-only routes. A refused command is a
// warning, as in switch_pgbouncer. Throws HostError only when the console cannot be reached.
bool move_sessions_once_served(AdminConsole& console, const DeployPlan& plan,
                               const std::vector<Route>& routes, const std::vector<Route>& moved,
                               const std::string& host, std::chrono::milliseconds patience);

// The first route of ROUTES that PgBouncer's SHOW DATABASES rows ROUTED do not serve as the
// route says, described; nullopt when every route is loaded.
std::optional<std::string> routing_problem(const std::vector<RoutedDatabase>& routed,
                                           const std::vector<Route>& routes);

// NAME as a database argument of an admin command: always double-quoted, which PgBouncer
// accepts for any name (the quoted form keeps upper case, '.' and '-').
std::string admin_database_argument(const std::string& name);

}  // namespace pgdeploy
