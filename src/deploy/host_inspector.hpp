#pragma once

#include "deploy/host_deployer.hpp"
#include "model/outcome.hpp"
#include "ssh/remote_host.hpp"

namespace pgdeploy {

// Reads one app server's fragment over SSH and compares it with what a deploy would write, for
// --dry-run and --check, within the host's deadline. Changes nothing anywhere. Never throws:
// failures become the outcome.
class HostInspector {
 public:
  HostInspector(const DeployPlan& plan, HostConnector& ssh, TimeLimits limits = {});

  // unchanged (the same but for the epoch's LSN), would_update with a unified diff, refused
  // (a deploy would be refused: newer timeline in place), or failed (cannot be read, or
  // PgBouncer's configuration does not include the fragment: unserved).
  HostOutcome inspect(const AppServer& host);

 private:
  // Fails OUTCOME, unserved, when HOST's PgBouncer does not include the fragment.
  void check_served(RemoteHost& remote, const AppServer& host, HostOutcome& outcome);
  void compare(const AppServer& host, const std::optional<std::string>& current,
               HostOutcome& outcome);

  const DeployPlan& plan_;
  HostConnector& ssh_;
  TimeLimits limits_;
};

}  // namespace pgdeploy
