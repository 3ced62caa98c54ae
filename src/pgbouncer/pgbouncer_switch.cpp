#include "pgbouncer/pgbouncer_switch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "ssh/remote_host.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {
namespace {

// ROUTE as SHOW DATABASES lists it once PgBouncer serves it.
RoutedDatabase listed_as(const Route& route) {
  return {route.key, route.target.host, route.target.port, route.dbname};
}

bool matches(const RoutedDatabase& db, const Route& route) { return db == listed_as(route); }

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
    throw HostError("verify",
                    *problem + " after RELOAD; it did not load the fragment (see its log)");
  }
  spdlog::debug("admin console: all {} routes loaded", routes.size());
}

constexpr int resume_attempts = 3;

// An admin command on one database: RECONNECT, KILL, RESUME.
struct DatabaseCommand {
  std::string verb;
  std::string database;
};

// The admin commands on single databases. None of them decides whether the route is served
// (RELOAD and its verification do), so a refusal is a warning, never a reason to roll back:
// PgBouncer 1.18 answers "bad arguments" for names of 62 or 63 bytes, however quoted.
class DatabaseCommands {
 public:
  DatabaseCommands(AdminConsole& console, std::string host, HostDeadline* deadline)
      : console_(console), host_(std::move(host)), deadline_(deadline) {}
  DatabaseCommands(const DatabaseCommands&) = delete;
  DatabaseCommands& operator=(const DatabaseCommands&) = delete;
  // RESUMEs what PAUSE or KILL left paused, however the switch ends: past the deadline too,
  // since a database left paused is an outage.
  ~DatabaseCommands() {
    std::optional<HostDeadline::Lift> lift;
    if (deadline_ != nullptr) {
      lift.emplace(*deadline_);
    }
    for (const auto& [name, failed_resumes] : paused_) {
      resume(name, failed_resumes);
    }
  }

  // PAUSE waits for the queries running on the database to finish; new ones wait.
  void pause(const std::string& name) {
    if (run("PAUSE", name, "its queries are not held while PgBouncer reloads")) {
      paused_.emplace(name, 0);
    }
  }
  // Records how BATCH went, ERRORS holding one entry per command (empty: it worked).
  void note_all(const std::vector<DatabaseCommand>& batch, const std::vector<std::string>& errors) {
    std::set<std::string> killed;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      note(batch[i], errors.at(i), killed);
    }
  }

 private:
  // Records how COMMAND went: a failed KILL or RECONNECT is a warning; a RESUME that failed
  // after its KILL worked is tried again when the switch ends.
  void note(const DatabaseCommand& command, const std::string& error,
            std::set<std::string>& killed) {
    const std::string& name = command.database;
    if (command.verb == "RESUME") {
      if (error.empty()) {
        paused_.erase(name);
      } else if (killed.contains(name)) {
        paused_[name] = 1;  // one RESUME failed already
      }
      return;
    }
    if (!error.empty()) {
      spdlog::warn(
          "{}: admin console: {} of database {} failed: {}; its sessions stay on the "
          "old server until they disconnect",
          host_, command.verb, name, error);
      return;
    }
    if (command.verb == "KILL") {
      killed.insert(name);
    }
  }

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
  void resume(const std::string& name, int failed_resumes) {
    std::string error;
    for (int attempt = failed_resumes + 1; attempt <= resume_attempts; ++attempt) {
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
  HostDeadline* deadline_;             // none: the connection's own bounds only
  std::map<std::string, int> paused_;  // database -> RESUMEs of it that failed so far
};

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

// The commands that move the sessions of the MOVING routes, each KILL directly followed by the
// RESUME of its database: while a database is paused, PgBouncer closes the server connection
// its pool is opening ("pause mode") and counts that as a failed login, after which the pool
// waits server_login_retry before it connects again. Sent as one batch (execute_each).
std::vector<DatabaseCommand> session_commands(const DeployPlan& plan,
                                              const std::vector<Route>& moving) {
  std::vector<DatabaseCommand> batch;
  for (const Route& route : moving) {
    switch (sessions_for(route, plan)) {
      case Sessions::reconnect:
        batch.push_back({"RECONNECT", route.key});
        break;
      case Sessions::kill:
        batch.push_back({"KILL", route.key});
        batch.push_back({"RESUME", route.key});
        break;
      case Sessions::keep:
      case Sessions::automatic:
        break;
    }
  }
  return batch;
}

std::vector<std::string> texts_of(const std::vector<DatabaseCommand>& batch) {
  std::vector<std::string> texts;
  texts.reserve(batch.size());
  for (const DatabaseCommand& command : batch) {
    texts.push_back(command.verb + " " + admin_database_argument(command.database));
  }
  return texts;
}

// One error per command of BATCH (empty when it worked); a batch that could not run at all has
// its error on every command.
std::vector<std::string> run_batch(AdminConsole& console,
                                   const std::vector<DatabaseCommand>& batch) {
  try {
    return console.execute_each(texts_of(batch));
  } catch (const std::exception& e) {
    std::vector<std::string> errors(batch.size(), e.what());
    return errors;
  }
}

std::vector<RoutedDatabase> as_listed(const std::vector<Route>& routes) {
  std::vector<RoutedDatabase> listed;
  listed.reserve(routes.size());
  for (const Route& route : routes) {
    listed.push_back(listed_as(route));
  }
  return listed;
}

std::vector<std::string> keys_of(const std::vector<Route>& routes) {
  std::vector<std::string> keys;
  keys.reserve(routes.size());
  for (const Route& route : routes) {
    keys.push_back(route.key);
  }
  return keys;
}

}  // namespace

std::string admin_database_argument(const std::string& name) { return "\"" + name + "\""; }

void switch_pgbouncer(AdminConsole& console, const DeployPlan& plan,
                      const std::vector<Route>& routes, HostDeadline& deadline,
                      const std::string& host) {
  const bool sessions_move = plan.sessions != Sessions::keep || plan.pause;
  deadline.begin("reload");
  const std::vector<Route> moving =
      sessions_move ? moving_routes(console.show_databases(), routes) : std::vector<Route>{};
  DatabaseCommands commands(console, host, &deadline);
  if (plan.pause) {
    deadline.begin("pause");
    for (const std::string& name : keys_of(moving)) {
      commands.pause(name);
    }
  }
  deadline.begin("reload");
  console.reload();
  deadline.begin("verify");
  verify_routing(console, routes);
  deadline.begin("sessions");
  const std::vector<DatabaseCommand> batch = session_commands(plan, moving);
  if (!batch.empty()) {
    commands.note_all(batch, run_batch(console, batch));
  }
}

bool move_sessions_once_served(AdminConsole& console, const DeployPlan& plan,
                               const std::vector<Route>& routes, const std::vector<Route>& moved,
                               const std::string& host, std::chrono::milliseconds patience) {
  const std::vector<DatabaseCommand> batch = session_commands(plan, moved);
  if (batch.empty()) {
    return true;
  }
  DatabaseCommands commands(console, host, nullptr);
  const std::optional<std::vector<std::string>> errors =
      console.execute_each_once_served(as_listed(routes), patience, texts_of(batch));
  if (!errors) {
    return false;
  }
  commands.note_all(batch, *errors);
  return true;
}

}  // namespace pgdeploy
