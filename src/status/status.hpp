#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "deploy/host_deployer.hpp"
#include "etcd/etcd_client.hpp"
#include "metadata/primary_check.hpp"
#include "model/agent_ack.hpp"
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
  std::string modified;                  // the fragment's mtime, UTC, ISO 8601
  std::vector<RoutedDatabase> live;      // PgBouncer's rows for the fragment's databases
  std::vector<ServerCount> servers;      // SHOW SERVERS for those, counted per server
  std::string problem;                   // what could not be read, "step: why"
  std::string unserved;           // why PgBouncer does not serve the fragment at all (not included)
  std::optional<AgentAck> ack;    // an agent's acknowledgement; nullopt: none, or not read
  bool fragment_absent = false;   // read, and there is none
  bool has_console = false;       // admin_conninfo is set: live is PgBouncer's own view
  bool fragment_current = false;  // the fragment (the ack) names the current primary and target
  bool live_current = false;      // PgBouncer serves the primary's routes (or no console)
  bool agent = false;     // delivery agent: told by its acknowledgement in etcd, not over SSH
  bool ack_read = false;  // etcd answered: without an ack, there is none
  [[nodiscard]] bool current() const {
    return fragment_current && live_current && unserved.empty();
  }
  // False when the fragment (an agent's acknowledgement) could not be read: whether the host is
  // current is unknown.
  [[nodiscard]] bool known() const {
    return agent ? ack_read : fragment.has_value() || fragment_absent;
  }
};

// Reads HOST's fragment (and its mtime) over SSH and, with admin_conninfo, PgBouncer's live
// databases, and compares both with PLAN, within the host's deadline. Never throws: failures end
// up in problem.
HostStatus read_host_status(const DeployPlan& plan, HostConnector& ssh, AdminConnector& admin,
                            const AppServer& host, const TimeLimits& limits);

// pgdeploy status: reads the metadata (never its secrets) with OPEN, then every enabled app
// server in parallel with the SSH connector LOAD_SSH gives once the metadata is read (only when
// a row is delivered over SSH), and ADMIN; the rows of agents from their acknowledgements with
// ETCD (null without --etcd: they cannot be told);
// prints the table (or its JSON) to OUT, coloured when OUT is a TERMINAL. Read-only. Returns ok
// when every host points at the current primary, host_failed otherwise; metadata when the
// database cannot be read. With --watch, does it all again every watch_seconds until SIGINT or
// SIGTERM, and returns the last round's.
ExitCode run_status(const Options& options, const DatabaseOpener& open,
                    const HostConnectorLoader& load_ssh, AdminConnector& admin, std::ostream& out,
                    bool terminal = false, etcd::EtcdClient* etcd = nullptr);

}  // namespace pgdeploy
