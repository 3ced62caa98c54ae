#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgbouncer/admin_console.hpp"
#include "ssh/remote_host.hpp"

namespace pgdeploy {

// The console script's exit statuses beside psql's own (0 to 3).
enum ConsoleStatus : int {
  console_unusable = 20,    // the ini cannot be read, or psql is missing
  console_not_served = 21,  // PgBouncer did not serve the routes in time; nothing was run
};

// PgBouncer's admin console reached on the application server itself, for hosts without
// admin_conninfo: psql there, started over the SSH connection pgdeploy already holds, on
// PgBouncer's Unix socket (unix_socket_dir and listen_port of pgbouncer_ini, else PgBouncer's
// defaults /tmp and 6432), as the SSH user, who must be in admin_users. One exec channel per
// command, or per batch of execute_each. Throws HostError (step "admin console over SSH") when psql
// is missing, the socket does not answer or PgBouncer refuses the command.
class SshConsole final : public AdminConsole {
 public:
  SshConsole(RemoteHost& remote, std::string pgbouncer_ini);

  void reload() override;
  ConsoleRows show(const std::string& what) override;
  void execute(const std::string& command) override;
  std::vector<std::string> execute_each(const std::vector<std::string>& commands) override;
  // In one round trip: the polling of SHOW DATABASES and the commands run on the app server.
  std::optional<std::vector<std::string>> execute_each_once_served(
      const std::vector<RoutedDatabase>& routes, std::chrono::milliseconds patience,
      const std::vector<std::string>& commands) override;
  std::string version() override;
  bool has_admin_rights() override;

 private:
  // The rows COMMAND returns, its header first; fields as psql prints them unaligned.
  ConsoleRows run(const std::string& command);
  // Runs SCRIPT, console.sh for COMMANDS in mode each or once_served: one error per command,
  // nullopt when PgBouncer did not serve the routes.
  std::optional<std::vector<std::string>> run_each(const std::string& script,
                                                   const std::vector<std::string>& commands);

  RemoteHost& remote_;
  std::string pgbouncer_ini_;
};

// The POSIX shell script that runs one PgBouncer console COMMAND with psql on the socket that
// PGBOUNCER_INI configures; rows on stdout, fields separated by the unit separator (0x1f).
std::string console_script(const std::string& pgbouncer_ini, const std::string& command);

// The POSIX shell script that runs every one of COMMANDS (none holding a newline) in turn in one
// psql session, whatever the one before did; psql reports each failure on stderr with the
// command's line number. Exits non-zero only when the session could not run.
std::string console_batch_script(const std::string& pgbouncer_ini,
                                 const std::vector<std::string>& commands);

// console_batch_script's, run once SHOW DATABASES lists every one of ROUTES, asked every 50 ms
// for up to PATIENCE; exits console_not_served, nothing run, when it did not.
std::string console_once_served_script(const std::string& pgbouncer_ini,
                                       const std::vector<RoutedDatabase>& routes,
                                       std::chrono::milliseconds patience,
                                       const std::vector<std::string>& commands);

// For each of COMMANDS, what PSQL_ERRORS (the batch script's stderr) says went wrong with it,
// as "COMMAND failed: MESSAGE" on one line; empty for a command that succeeded.
std::vector<std::string> batch_errors(const std::vector<std::string>& commands,
                                      std::string_view psql_errors);

}  // namespace pgdeploy
