#pragma once

#include <string>
#include <vector>

#include "pgdeploy/admin_console.hpp"
#include "pgdeploy/cluster.hpp"
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
};

// Deploys the fragment to one app server over one connection: check the epoch of the file in
// place, write, rename, reload, and (with admin_conninfo) verify that PgBouncer loaded it,
// rolling back when it did not. Never throws: every failure becomes the host's outcome.
class HostDeployer {
 public:
  HostDeployer(const DeployPlan& plan, HostConnector& ssh, AdminConnector& admin);
  HostOutcome deploy(const AppServer& host);

 private:
  // One SSH connection: install, reload (by command or through CONSOLE), commit.
  void push(const AppServer& host, const std::string& fragment, AdminConsole* console);
  void reload_and_verify(const AppServer& host, RemoteCommand& command, AdminConsole& console);
  void verify_routing(AdminConsole& console);

  const DeployPlan& plan_;
  HostConnector& ssh_;
  AdminConnector& admin_;
};

}  // namespace pgdeploy
