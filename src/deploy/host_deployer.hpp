#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "model/app_server.hpp"
#include "model/outcome.hpp"
#include "pgbouncer/admin_console.hpp"
#include "plan/deploy_plan.hpp"
#include "ssh/remote_host.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {

// Deploys the fragment to one app server over one connection: check the epoch of the file in
// place, write, rename, reload, and (with admin_conninfo) verify that PgBouncer loaded it,
// rolling back when it did not. Everything done for one host is bounded by its deadline (see
// TimeLimits). Never throws: every failure becomes the host's outcome.
class HostDeployer {
 public:
  HostDeployer(const DeployPlan& plan, HostConnector& ssh, AdminConnector& admin,
               TimeLimits limits = {});
  HostOutcome deploy(const AppServer& host);

 private:
  [[nodiscard]] std::string file_name() const;
  // One SSH connection: install, reload (by command or through CONSOLE), commit. False when
  // the fragment in place already said the same.
  bool push(const AppServer& host, const std::string& fragment, AdminConsole* console,
            HostDeadline& deadline);
  // The installer passed fencing and holds the new file: push the extra files, then let it go
  // on; when they fail, stop it without a change.
  void push_extras_or_stop(const AppServer& host, RemoteHost& remote, RemoteCommand& command,
                           HostDeadline& deadline);
  // The fragment in place already says the same: push the extra files and reload when they
  // changed or PgBouncer does not serve the fragment. True when PgBouncer was reloaded.
  bool after_unchanged(const AppServer& host, RemoteHost& remote, AdminConsole* console,
                       HostDeadline& deadline);
  static void reload_by_command(const AppServer& host, RemoteHost& remote);
  // True when HELD_BY (the installer's "node N (NAME) at HOST:PORT") names another target.
  [[nodiscard]] bool primary_moved(const std::string& held_by) const;
  // For hosts reloaded by command: moves the sessions of the re-pointed databases through the
  // console reached over SSH, best effort.
  void move_sessions_over_ssh(const AppServer& host, RemoteHost& remote);
  // Says loudly that the fragment was created where none was.
  void warn_new_file(const AppServer& host) const;
  void switch_or_roll_back(const AppServer& host, RemoteCommand& command, AdminConsole& console,
                           HostDeadline& deadline);
  // Sends "commit"; when it does not arrive, makes PgBouncer serve the file in place again.
  void commit(const AppServer& host, RemoteCommand& command, AdminConsole* console,
              HostDeadline& deadline);
  // Waits for the installer to finish its rollback, reloads PgBouncer and verifies it serves
  // the file in place. Says what it found; never throws.
  std::string match_file_in_place(const AppServer& host, AdminConsole& console,
                                  HostDeadline& deadline);
  // After an "unchanged" answer: RELOADs (and verifies) a PgBouncer that does not serve the
  // fragment in place. True when it had to.
  bool reload_if_not_served(const AppServer& host, AdminConsole& console, HostDeadline& deadline);
  // Installs the extra files HOST receives over its connection. True when one was written.
  bool push_extras(const AppServer& host, RemoteHost& remote, HostDeadline& deadline);

  const DeployPlan& plan_;
  HostConnector& ssh_;
  AdminConnector& admin_;
  TimeLimits limits_;
};

}  // namespace pgdeploy
