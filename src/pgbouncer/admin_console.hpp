#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pgdeploy {

class HostDeadline;

// One row of PgBouncer's SHOW DATABASES, as far as routing goes.
struct RoutedDatabase {
  std::string name;
  std::string host;
  int port = 0;
  std::string dbname;

  bool operator==(const RoutedDatabase&) const = default;
};

// One server connection of SHOW SERVERS: the database it serves and the server it is open to
// (addr is the address PgBouncer connected to, as it resolved the route's host).
struct ServerConnection {
  std::string database;
  std::string addr;
  int port = 0;

  bool operator==(const ServerConnection&) const = default;
};

// The answer of a SHOW command: the column names first, then one row a line, every field as
// text.
using ConsoleRows = std::vector<std::vector<std::string>>;

// SHOW DATABASES's and SHOW SERVERS's rows, their columns looked up by name: later PgBouncer
// versions add and move them. Rows whose fields do not match the header (a value holding a
// newline) are left out. Throws HostError (step "admin console") when a column is missing.
std::vector<RoutedDatabase> routed_databases(const ConsoleRows& rows);
std::vector<ServerConnection> server_connections(const ConsoleRows& rows);

// PgBouncer's admin console. Throws HostError (step "admin console", or timeout) on failure.
class AdminConsole {
 public:
  virtual ~AdminConsole() = default;
  virtual void reload() = 0;
  // SHOW WHAT (DATABASES, SERVERS, ...).
  virtual ConsoleRows show(const std::string& what) = 0;
  virtual std::vector<RoutedDatabase> show_databases() {
    return routed_databases(show("DATABASES"));
  }
  std::vector<ServerConnection> show_servers() { return server_connections(show("SERVERS")); }
  // Runs one admin command that returns no rows (PAUSE, RESUME, RECONNECT, KILL ...).
  virtual void execute(const std::string& command) = 0;
  // Runs every one of COMMANDS in turn, whatever the one before did, with as little time
  // between them as the console allows. Returns one entry per command: empty when it
  // succeeded, else what failed. Throws only when none could be run.
  virtual std::vector<std::string> execute_each(const std::vector<std::string>& commands);
  // execute_each, once SHOW DATABASES lists every one of ROUTES, asked every 50 ms for up to
  // PATIENCE (a reload by signal takes effect a moment after the signal); nullopt, and nothing
  // run, when it did not.
  virtual std::optional<std::vector<std::string>> execute_each_once_served(
      const std::vector<RoutedDatabase>& routes, std::chrono::milliseconds patience,
      const std::vector<std::string>& commands);
  // SHOW VERSION's answer: any console user may ask.
  virtual std::string version() = 0;
  // True when the user may run admin commands (RELOAD ...), not only SHOW (stats_users).
  virtual bool has_admin_rights() = 0;
};

// has_admin_rights() by probing: RESUME of a database that cannot exist changes nothing, and
// PgBouncer checks the user's rights first ("admin access needed"), then looks for the
// database ("no such database"). Other failures are thrown on.
bool probe_admin_rights(AdminConsole& console);

// Opens admin consoles from an app server's admin_conninfo.
class AdminConnector {
 public:
  virtual ~AdminConnector() = default;
  // The console, and every command sent to it, is bounded by DEADLINE, which must outlive it.
  virtual std::unique_ptr<AdminConsole> connect(const std::string& admin_conninfo,
                                                HostDeadline& deadline) = 0;
};

}  // namespace pgdeploy
