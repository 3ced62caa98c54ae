#pragma once

#include <optional>

#include "cli/options.hpp"
#include "metadata/primary_check.hpp"
#include "pgbouncer/pgbouncer_console.hpp"
#include "ssh/remote_host.hpp"
#include "ssh/ssh_connector.hpp"

namespace pgdeploy {

// The outside world of one run, and the only place that builds it: PostgreSQL and PgBouncer's
// admin console over libpq, the app servers over libssh. Every command is handed these as
// interfaces (DatabaseOpener, HostConnector, AdminConnector), so that tests drive the commands
// with fakes.
class Connectors {
 public:
  explicit Connectors(const Options& options);
  Connectors(const Connectors&) = delete;
  Connectors& operator=(const Connectors&) = delete;

  // Opens PostgreSQL connections bounded by -t, logging each (password redacted).
  [[nodiscard]] const DatabaseOpener& database() const { return database_; }
  // The app servers over SSH with FILES' key and known_hosts, loaded on the first call. Throws
  // a usage error when either cannot be loaded.
  HostConnector& ssh(const SshFiles& files);
  // ssh() for the commands that decide themselves when the SSH files are loaded.
  HostConnectorLoader ssh_loader();
  // PgBouncer's admin console over libpq.
  AdminConnector& admin() { return admin_; }

 private:
  DatabaseOpener database_;
  std::optional<SshConnector> ssh_;
  PgBouncerConnector admin_;
};

}  // namespace pgdeploy
