#include "pgdeploy/pgbouncer_switch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "pgdeploy/deadline.hpp"
#include "pgdeploy/remote_host.hpp"

namespace pgdeploy {
namespace {

bool matches(const RoutedDatabase& db, const Route& route) {
  return db.name == route.key && db.host == route.target.host && db.port == route.target.port &&
         db.dbname == route.dbname;
}

const RoutedDatabase* find(const std::vector<RoutedDatabase>& routed, const std::string& name) {
  const auto found = std::find_if(routed.begin(), routed.end(),
                                  [&](const RoutedDatabase& db) { return db.name == name; });
  return found == routed.end() ? nullptr : &*found;
}

// The routes that PgBouncer sends elsewhere now, and whose sessions will have to move.
std::vector<Route> moving_routes(const std::vector<RoutedDatabase>& before,
                                 const std::vector<Route>& routes) {
  std::vector<Route> moving;
  for (const Route& route : routes) {
    const RoutedDatabase* db = find(before, route.key);
    if (db != nullptr && !matches(*db, route)) {
      moving.push_back(route);
    }
  }
  return moving;
}

std::vector<std::string> keys_of(const std::vector<Route>& routes) {
  std::vector<std::string> keys;
  for (const Route& route : routes) {
    keys.push_back(route.key);
  }
  return keys;
}

}  // namespace

std::optional<std::string> routing_problem(const std::vector<RoutedDatabase>& routed,
                                           const std::vector<Route>& routes) {
  for (const Route& route : routes) {
    const RoutedDatabase* db = find(routed, route.key);
    if (db == nullptr) {
      return "PgBouncer has no database " + route.key;
    }
    if (!matches(*db, route)) {
      return "PgBouncer routes " + route.key + " to " + db->dbname + " at " +
             describe(Endpoint{db->host, db->port}) + ", not to " + route.dbname + " at " +
             describe(route.target);
    }
  }
  return std::nullopt;
}

namespace {

void verify_routing(AdminConsole& console, const std::vector<Route>& routes) {
  if (const auto problem = routing_problem(console.show_databases(), routes)) {
    throw HostError("verify", *problem + " after RELOAD; it did not load the fragment (see its log)");
  }
  spdlog::debug("admin console: all {} routes loaded", routes.size());
}

// Runs COMMAND for NAME, best effort: moving sessions never undoes a route PgBouncer serves. A
// name the console will not take as an argument (62 or 63 bytes: "bad arguments") is one case.
bool try_database_command(AdminConsole& console, const std::string& command,
                          const std::string& name) {
  try {
    console.execute(command + " " + admin_database_argument(name));
    return true;
  } catch (const HostError& e) {
    spdlog::warn("admin console: {} {} failed ({}); its sessions were not moved", command, name,
                 e.what());
    return false;
  }
}

// What happens to the sessions of ROUTE: with the default, writes that moved are cut at once,
// because their old server is not the primary any more (dead or demoted: a second writable
// node is refused before any host is visited) and a pool that tried a dead server waits
// server_login_retry before it tries again, unless KILL + RESUME resets it. Read-only routes
// move between running standbys: their sessions may finish.
Sessions sessions_for(const Route& route, const DeployPlan& plan) {
  if (plan.sessions != Sessions::automatic) {
    return plan.sessions;
  }
  return route.target == plan.target ? Sessions::kill : Sessions::reconnect;
}

// RESUMEs the paused databases when the switch ends, however it ends: past the deadline too,
// since a database left paused is an outage.
class PausedDatabases {
 public:
  PausedDatabases(AdminConsole& console, HostDeadline& deadline)
      : console_(console), deadline_(deadline) {}
  // PAUSE waits for the queries running on those databases to finish; new ones wait.
  void pause(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      if (try_database_command(console_, "PAUSE", name)) {
        paused_.push_back(name);
      }
    }
  }
  PausedDatabases(const PausedDatabases&) = delete;
  PausedDatabases& operator=(const PausedDatabases&) = delete;
  ~PausedDatabases() {
    const HostDeadline::Lift lift(deadline_);
    for (const std::string& name : paused_) {
      try {
        console_.execute("RESUME " + admin_database_argument(name));
      } catch (const std::exception& e) {
        spdlog::error("admin console: RESUME {} failed: {}", name, e.what());
      }
    }
  }

 private:
  AdminConsole& console_;
  HostDeadline& deadline_;
  std::vector<std::string> paused_;
};

}  // namespace

std::string admin_database_argument(const std::string& name) { return "\"" + name + "\""; }

void move_sessions(AdminConsole& console, const DeployPlan& plan,
                   const std::vector<Route>& moved) {
  for (const Route& route : moved) {
    switch (sessions_for(route, plan)) {
      case Sessions::keep:
      case Sessions::automatic:
        break;
      case Sessions::reconnect:
        try_database_command(console, "RECONNECT", route.key);
        break;
      case Sessions::kill:
        // KILL leaves the database paused for new clients until RESUME.
        if (try_database_command(console, "KILL", route.key) &&
            !try_database_command(console, "RESUME", route.key)) {
          spdlog::error("admin console: {} is left paused after KILL: run RESUME {} on the "
                        "console",
                        route.key, admin_database_argument(route.key));
        }
        break;
    }
  }
}

bool await_routing(AdminConsole& console, const std::vector<Route>& routes,
                   std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (routing_problem(console.show_databases(), routes)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

void switch_pgbouncer(AdminConsole& console, const DeployPlan& plan,
                      const std::vector<Route>& routes, HostDeadline& deadline) {
  const bool sessions_move = plan.sessions != Sessions::keep || plan.pause;
  deadline.begin("reload");
  const std::vector<Route> moving =
      sessions_move ? moving_routes(console.show_databases(), routes) : std::vector<Route>{};
  PausedDatabases paused(console, deadline);
  if (plan.pause) {
    deadline.begin("pause");
    paused.pause(keys_of(moving));
  }
  deadline.begin("reload");
  console.reload();
  deadline.begin("verify");
  verify_routing(console, routes);
  deadline.begin("sessions");
  move_sessions(console, plan, moving);
}

}  // namespace pgdeploy
