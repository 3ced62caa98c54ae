#include "pgdeploy/pgbouncer_switch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

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

// The databases that PgBouncer routes elsewhere now, and whose sessions will have to move.
std::vector<std::string> moving_databases(const std::vector<RoutedDatabase>& before,
                                          const std::vector<Route>& routes) {
  std::vector<std::string> moving;
  for (const Route& route : routes) {
    const RoutedDatabase* db = find(before, route.key);
    if (db != nullptr && !matches(*db, route)) {
      moving.push_back(route.key);
    }
  }
  return moving;
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

void for_each_database(AdminConsole& console, const char* command,
                       const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    console.execute(std::string(command) + " " + admin_database_argument(name));
  }
}

void move_sessions(AdminConsole& console, Sessions sessions,
                   const std::vector<std::string>& moving) {
  switch (sessions) {
    case Sessions::keep:
      return;
    case Sessions::reconnect:
      for_each_database(console, "RECONNECT", moving);
      return;
    case Sessions::kill:
      // KILL leaves the database paused for new clients until RESUME.
      for_each_database(console, "KILL", moving);
      for_each_database(console, "RESUME", moving);
      return;
  }
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
      console_.execute("PAUSE " + admin_database_argument(name));
      paused_.push_back(name);
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

void switch_pgbouncer(AdminConsole& console, const DeployPlan& plan,
                      const std::vector<Route>& routes, HostDeadline& deadline) {
  const bool sessions_move = plan.sessions != Sessions::keep || plan.pause;
  deadline.begin("reload");
  const std::vector<std::string> moving = sessions_move
                                              ? moving_databases(console.show_databases(), routes)
                                              : std::vector<std::string>{};
  PausedDatabases paused(console, deadline);
  if (plan.pause) {
    deadline.begin("pause");
    paused.pause(moving);
  }
  deadline.begin("reload");
  console.reload();
  deadline.begin("verify");
  verify_routing(console, routes);
  deadline.begin("sessions");
  move_sessions(console, plan.sessions, moving);
}

}  // namespace pgdeploy
