#pragma once

#include <string>
#include <vector>

#include "pgbouncer/admin_console.hpp"
#include "ssh/remote_host.hpp"

namespace pgdeploy {

// PgBouncer's admin console reached on the application server itself, for hosts without
// admin_conninfo: psql there, started over the SSH connection pgdeploy already holds, on
// PgBouncer's Unix socket (unix_socket_dir and listen_port of pgbouncer_ini, else PgBouncer's
// defaults /tmp and 6432), as the SSH user, who must be in admin_users. One exec channel per
// command. Throws HostError (step "admin console over SSH") when psql is missing, the socket
// does not answer or PgBouncer refuses the command.
class SshConsole final : public AdminConsole {
 public:
  SshConsole(RemoteHost& remote, std::string pgbouncer_ini);

  void reload() override;
  std::vector<RoutedDatabase> show_databases() override;
  void execute(const std::string& command) override;
  std::string version() override;
  bool has_admin_rights() override;

 private:
  // The rows COMMAND returns, its header first; fields as psql prints them unaligned.
  std::vector<std::vector<std::string>> run(const std::string& command);

  RemoteHost& remote_;
  std::string pgbouncer_ini_;
};

// The POSIX shell script that runs one PgBouncer console COMMAND with psql on the socket that
// PGBOUNCER_INI configures; rows on stdout, fields separated by the unit separator (0x1f).
std::string console_script(const std::string& pgbouncer_ini, const std::string& command);

}  // namespace pgdeploy
