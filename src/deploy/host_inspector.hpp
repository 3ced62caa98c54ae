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
  // (a deploy would be refused: newer timeline in place), or failed (cannot be read).
  HostOutcome inspect(const AppServer& host);

 private:
  // The fragment in place; nullopt when there is none.
  std::optional<std::string> read_fragment(const AppServer& host, HostDeadline& deadline);
  void compare(const AppServer& host, const std::optional<std::string>& current,
               HostOutcome& outcome);

  const DeployPlan& plan_;
  HostConnector& ssh_;
  TimeLimits limits_;
};

}  // namespace pgdeploy
