#include "pgdeploy/pgbouncer_switch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

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

constexpr int resume_attempts = 3;

// The admin commands on single databases. None of them decides whether the route is served
// (RELOAD and its verification do), so a refusal is a warning, never a reason to roll back:
// PgBouncer 1.18 answers "bad arguments" for names of 62 or 63 bytes, however quoted.
class DatabaseCommands {
 public:
  DatabaseCommands(AdminConsole& console, std::string host)
      : console_(console), host_(std::move(host)) {}
  DatabaseCommands(const DatabaseCommands&) = delete;
  DatabaseCommands& operator=(const DatabaseCommands&) = delete;
  // RESUMEs what PAUSE or KILL left paused, however the switch ends.
  ~DatabaseCommands() {
    for (const std::string& name : paused_) {
      resume(name);
    }
  }

  // PAUSE waits for the queries running on the database to finish; new ones wait.
  void pause(const std::string& name) {
    if (run("PAUSE", name, "its queries are not held while PgBouncer reloads")) {
      paused_.insert(name);
    }
  }
  void reconnect(const std::string& name) {
    run("RECONNECT", name, "its sessions stay on the old server until they disconnect");
  }
  // KILL leaves the database paused for new clients until RESUME.
  void kill(const std::string& name) {
    if (run("KILL", name, "its sessions stay on the old server until they disconnect")) {
      paused_.insert(name);
    }
  }

 private:
  bool run(const char* command, const std::string& name, const char* consequence) {
    try {
      console_.execute(std::string(command) + " " + admin_database_argument(name));
      return true;
    } catch (const std::exception& e) {
      spdlog::warn("{}: admin console: {} of database {} failed: {}; {}", host_, command, name,
                   e.what(), consequence);
      return false;
    }
  }

  // A database left paused holds every new client of it: try again before giving up.
  void resume(const std::string& name) {
    std::string error;
    for (int attempt = 1; attempt <= resume_attempts; ++attempt) {
      try {
        console_.execute("RESUME " + admin_database_argument(name));
        return;
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    spdlog::error(
        "{}: admin console: RESUME of database {} failed {} times ({}); it stays PAUSED and its "
        "clients wait: run RESUME {} on PgBouncer's admin console of {} (psql -d pgbouncer)",
        host_, name, resume_attempts, error, admin_database_argument(name), host_);
  }

  AdminConsole& console_;
  std::string host_;
  std::set<std::string> paused_;
};

void move_sessions(DatabaseCommands& commands, Sessions sessions,
                   const std::vector<std::string>& moving) {
  for (const std::string& name : moving) {
    if (sessions == Sessions::reconnect) {
      commands.reconnect(name);
    } else if (sessions == Sessions::kill) {
      commands.kill(name);
    }
  }
}

}  // namespace

std::string admin_database_argument(const std::string& name) { return "\"" + name + "\""; }

void switch_pgbouncer(AdminConsole& console, const DeployPlan& plan,
                      const std::vector<Route>& routes, const std::string& host) {
  const bool sessions_move = plan.sessions != Sessions::keep || plan.pause;
  const std::vector<std::string> moving = sessions_move
                                              ? moving_databases(console.show_databases(), routes)
                                              : std::vector<std::string>{};
  DatabaseCommands commands(console, host);
  if (plan.pause) {
    for (const std::string& name : moving) {
      commands.pause(name);
    }
  }
  console.reload();
  verify_routing(console, routes);
  move_sessions(commands, plan.sessions, moving);
}

}  // namespace pgdeploy
