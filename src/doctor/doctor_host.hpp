#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgbouncer/admin_console.hpp"
#include "report/checklist.hpp"
#include "ssh/remote_host.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {

// pgdeploy doctor's checks of one app server, each step separately so that the first broken
// one is named: the row, the address, the SSH port, the host key, authentication, config_dir,
// PgBouncer's %include of the fragment, the reload path, and what PgBouncer serves. Read-only
// but for a temporary file created and removed in config_dir. Each host's checks share one host
// deadline. Safe to call from several threads.
class HostDoctor {
 public:
  // SSH is null when the key or known_hosts could not be loaded: SSH steps are then skipped.
  // KNOWN_HOSTS names the file in fixes.
  HostDoctor(std::string cluster, HostConnector* ssh, std::string known_hosts,
             AdminConnector& admin, TimeLimits limits);

  std::vector<CheckItem> check(const AppServer& host);

 private:
  void check_steps(const AppServer& host, Checklist& list, HostDeadline& deadline);
  std::unique_ptr<RemoteHost> check_login(const AppServer& host, Checklist& list,
                                          HostDeadline& deadline);
  static void check_config_dir(RemoteHost& remote, const AppServer& host, Checklist& list);
  // The text of pgbouncer_ini when it could be read.
  std::optional<std::string> check_include(RemoteHost& remote, const AppServer& host,
                                           Checklist& list);
  void check_include_place(const std::string& ini, const AppServer& host, Checklist& list);
  // Warns about PgBouncer settings that make a failover slow for clients.
  static void check_failover_settings(const std::string& ini, const AppServer& host,
                                      Checklist& list);
  // Whether pgdeploy can move sessions after a failover: an admin console, or PgBouncer's
  // console over SSH for hosts reloaded by command.
  static void check_sessions_move(RemoteHost* remote, const AppServer& host, bool console,
                                  Checklist& list);
  static void check_reload(RemoteHost* remote, const AppServer& host, AdminConsole* console,
                           Checklist& list);
  void check_live(RemoteHost* remote, const AppServer& host, AdminConsole* console,
                  Checklist& list);
  [[nodiscard]] std::string fragment_path(const AppServer& host) const;

  std::string cluster_;
  HostConnector* ssh_;
  std::string known_hosts_;
  AdminConnector& admin_;
  TimeLimits limits_;
};

}  // namespace pgdeploy
