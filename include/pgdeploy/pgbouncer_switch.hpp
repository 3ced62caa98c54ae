#pragma once

#include <chrono>
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

// Moves the sessions of the MOVED routes as the plan's --sessions says (see sessions_for in
// the source for the default). Best effort: a command that fails is a warning naming the
// database; a database left paused after KILL is an error naming the RESUME to run.
void move_sessions(AdminConsole& console, const DeployPlan& plan, const std::vector<Route>& moved);

// Polls SHOW DATABASES until every route of ROUTES is served, for up to PATIENCE (a reload by
// signal takes effect a moment after the signal). False when they were not.
bool await_routing(AdminConsole& console, const std::vector<Route>& routes,
                   std::chrono::milliseconds patience);

// The first route of ROUTES that PgBouncer's SHOW DATABASES rows ROUTED do not serve as the
// route says, described; nullopt when every route is loaded.
std::optional<std::string> routing_problem(const std::vector<RoutedDatabase>& routed,
                                           const std::vector<Route>& routes);

// NAME as a database argument of an admin command: always double-quoted, which PgBouncer
// accepts for any name (the quoted form keeps upper case, '.' and '-').
std::string admin_database_argument(const std::string& name);

}  // namespace pgdeploy
