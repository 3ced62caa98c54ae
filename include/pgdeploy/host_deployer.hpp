#pragma once

#include <string>
#include <vector>

#include "pgdeploy/admin_console.hpp"
#include "pgdeploy/cluster.hpp"
#include "pgdeploy/deadline.hpp"
#include "pgdeploy/extra_files.hpp"
#include "pgdeploy/options.hpp"
#include "pgdeploy/outcome.hpp"
#include "pgdeploy/remote_host.hpp"

namespace pgdeploy {

// What every host of one run is pointed at.
struct DeployPlan {
  std::string cluster;
  Node primary;
  Endpoint target;
  Epoch epoch;
  std::vector<std::string> databases;  // only names PgBouncer can represent
  bool fence = true;                   // false with --force
  Sessions sessions = Sessions::reconnect;  // for hosts reloaded through their admin console
  bool pause = false;
  std::optional<std::string> ro_suffix = std::nullopt;  // --ro-suffix
  std::vector<Standby> standbys = {};  // running standbys, for read-only routes
  std::vector<ExtraFile> extras = {};  // --sync-userlist, --sync-pgpass
};

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
  // One SSH connection: install, reload (by command or through CONSOLE), commit. False when
  // the fragment in place already said the same.
  bool push(const AppServer& host, const std::string& fragment, AdminConsole* console,
            HostDeadline& deadline);
  void switch_or_roll_back(const AppServer& host, RemoteCommand& command, AdminConsole& console,
                           HostDeadline& deadline);
  // After an "unchanged" answer: RELOADs (and verifies) a PgBouncer that does not serve the
  // fragment in place. True when it had to.
  bool reload_if_not_served(const AppServer& host, AdminConsole& console, HostDeadline& deadline);
  // Installs the extra files HOST receives over its connection, before the fragment.
  void push_extras(const AppServer& host, RemoteHost& remote, HostDeadline& deadline);

  const DeployPlan& plan_;
  HostConnector& ssh_;
  AdminConnector& admin_;
  TimeLimits limits_;
};

}  // namespace pgdeploy
