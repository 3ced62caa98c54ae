#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgdeploy/admin_console.hpp"
#include "pgdeploy/fragment.hpp"
#include "pgdeploy/host_deployer.hpp"

namespace pgdeploy {

// Switches HOST's PgBouncer to the plan's target through its admin console, after the new
// fragment is in place: (PAUSE the databases that move,) RELOAD, verify with SHOW DATABASES that
// every route of the fragment is loaded (PgBouncer 1.18 answers RELOAD with success even when
// loading failed), move the sessions of the databases that moved (RECONNECT, or KILL and
// RESUME), and RESUME what was paused. Throws HostError (step "verify" or "admin console") only
// when the routes are not served; PAUSE, RECONNECT or KILL refused for a database is a warning
// naming it. Paused databases are resumed on every path (tried again when RESUME fails).
void switch_pgbouncer(AdminConsole& console, const DeployPlan& plan,
                      const std::vector<Route>& routes, const std::string& host);

// The first route of ROUTES that PgBouncer's SHOW DATABASES rows ROUTED do not serve as the
// route says, described; nullopt when every route is loaded.
std::optional<std::string> routing_problem(const std::vector<RoutedDatabase>& routed,
                                           const std::vector<Route>& routes);

// NAME as a database argument of an admin command: always double-quoted, which PgBouncer
// accepts for any name (the quoted form keeps upper case, '.' and '-').
std::string admin_database_argument(const std::string& name);

}  // namespace pgdeploy
