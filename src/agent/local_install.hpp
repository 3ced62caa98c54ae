#pragma once

#include <string>

#include "agent/agent_ack.hpp"
#include "pgbouncer/admin_console.hpp"
#include "publish/published_state.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {

// What applying one state on this host came to.
struct LocalOutcome {
  AgentResult result = AgentResult::failed;
  std::string reason;  // empty when updated or unchanged without remark
};

// Installs an app server's fragment on the machine it runs on, with the guarantees of the SSH
// installer (ssh/scripts/install.sh): the fencing rule against the file in place
// (plan/fragment_format.hpp), nothing written when it says the same already, an atomic and
// durable replace with mode 0640, then a reload: RELOAD through the admin console verified
// with SHOW DATABASES (the sessions moved as the plan says), or the reload command run with
// /bin/sh -c. When the reload does not take, the previous file is put back and reloaded.
class LocalInstaller {
 public:
  // Neither ADMIN_CONNINFO nor RELOAD_COMMAND given: the default reload command of app servers.
  LocalInstaller(AdminConnector& admin, TimeLimits limits);
  // Applies STATE (its host's admin_conninfo or reload_command says how to reload). Never
  // throws: every failure is the outcome.
  LocalOutcome apply(const PublishedState& state);

 private:
  LocalOutcome install(const PublishedState& state, HostDeadline& deadline);
  // Reloads PgBouncer for STATE's routes; throws HostError when it did not take.
  void reload(const PublishedState& state, HostDeadline& deadline);
  // Reloads the file put back, without verifying routes: the rollback's best effort.
  void reload_previous(const AppServer& host, HostDeadline& deadline);
  // The fragment in place says the same: with a console, reloads when PgBouncer does not
  // serve it (an earlier reload failed). True when it had to.
  bool reload_if_not_served(const PublishedState& state, HostDeadline& deadline);

  AdminConnector& admin_;
  TimeLimits limits_;
};

}  // namespace pgdeploy
