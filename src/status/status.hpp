#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "deploy/host_deployer.hpp"
#include "metadata/primary_check.hpp"
#include "pgbouncer/admin_console.hpp"
#include "plan/fragment_file.hpp"
#include "ssh/remote_host.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// How many server connections PgBouncer holds open to one server, for the fragment's databases:
// sessions that did not move after a failover show up as connections to the old primary.
struct ServerCount {
  std::string addr;
  int port = 0;
  int connections = 0;

  bool operator==(const ServerCount&) const = default;
};

// Where one app server points, as pgdeploy status reports it.
struct HostStatus {
  std::string name;
  std::string address;
  std::optional<FragmentFile> fragment;  // nullopt: none in place, or unreadable (see problem)
  bool fragment_absent = false;          // read, and there is none
  std::string modified;                  // the fragment's mtime, UTC, ISO 8601
  bool has_console = false;              // admin_conninfo is set: live is PgBouncer's own view
  std::vector<RoutedDatabase> live;      // PgBouncer's rows for the fragment's databases
  std::vector<ServerCount> servers;      // SHOW SERVERS for those, counted per server
  std::string problem;                   // what could not be read, "step: why"
  bool fragment_current = false;         // the fragment names the current primary and target
  bool live_current = false;             // PgBouncer serves the primary's routes (or no console)
  std::string unserved;  // why PgBouncer does not serve the fragment at all (not included)
  [[nodiscard]] bool current() const {
    return fragment_current && live_current && unserved.empty();
  }
  // False when the fragment could not be read: whether the host is current is unknown.
  [[nodiscard]] bool known() const { return fragment.has_value() || fragment_absent; }
};

// Reads HOST's fragment (and its mtime) over SSH and, with admin_conninfo, PgBouncer's live
// databases, and compares both with PLAN, within the host's deadline. Never throws: failures end
// up in problem.
HostStatus read_host_status(const DeployPlan& plan, HostConnector& ssh, AdminConnector& admin,
                            const AppServer& host, const TimeLimits& limits);

// pgdeploy status: reads the metadata (never its secrets) with OPEN, then every enabled app
// server in parallel with the SSH connector LOAD_SSH gives once the metadata is read, and ADMIN;
// prints the table (or its JSON) to OUT, coloured when OUT is a TERMINAL. Read-only. Returns ok
// when every host points at the current primary, host_failed otherwise; metadata when the
// database cannot be read. With --watch, does it all again every watch_seconds until SIGINT or
// SIGTERM, and returns the last round's.
ExitCode run_status(const Options& options, const DatabaseOpener& open,
                    const HostConnectorLoader& load_ssh, AdminConnector& admin, std::ostream& out,
                    bool terminal = false);

}  // namespace pgdeploy
