#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgdeploy/admin_console.hpp"
#include "pgdeploy/fragment.hpp"
#include "pgdeploy/host_deployer.hpp"

namespace pgdeploy {

// Switches a PgBouncer to the plan's target through its admin console, after the new fragment
// is in place: (PAUSE the databases that move,) RELOAD, verify with SHOW DATABASES that every
// route of the fragment is loaded (PgBouncer 1.18 answers RELOAD with success even when loading
// failed), move the sessions of the databases that moved (RECONNECT, or KILL and RESUME), and
// RESUME what was paused. Throws HostError (step "verify", "admin console" or timeout); paused
// databases are resumed on every path, even after DEADLINE passed. Names its steps under
// DEADLINE: pause, reload, verify, sessions.
void switch_pgbouncer(AdminConsole& console, const DeployPlan& plan,
                      const std::vector<Route>& routes, HostDeadline& deadline);

// The first route of ROUTES that PgBouncer's SHOW DATABASES rows ROUTED do not serve as the
// route says, described; nullopt when every route is loaded.
std::optional<std::string> routing_problem(const std::vector<RoutedDatabase>& routed,
                                           const std::vector<Route>& routes);

// NAME as a database argument of an admin command: always double-quoted, which PgBouncer
// accepts for any name (the quoted form keeps upper case, '.' and '-').
std::string admin_database_argument(const std::string& name);

}  // namespace pgdeploy
