#include "status/status.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>
#include <utility>

#include "deploy/fleet.hpp"
#include "deploy/host_steps.hpp"
#include "deploy/include_check.hpp"
#include "metadata/read_cluster.hpp"
#include "model/app_server.hpp"
#include "pgbouncer/pgbouncer_switch.hpp"
#include "plan/fragment_format.hpp"
#include "plan/planner.hpp"
#include "publish/agent_acks.hpp"
#include "status/status_report.hpp"
#include "util/deadline.hpp"
#include "util/failure.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

void read_fragment(const DeployPlan& plan, HostConnector& ssh, const AppServer& host,
                   HostStatus& status, HostDeadline& deadline) {
  const auto remote = ssh.connect(host, deadline);
  deadline.begin("read");
  const auto fragment =
      read_remote_fragment(*remote, host.config_dir, fragment_file_name(plan.cluster), true);
  if (!fragment) {
    status.fragment_absent = true;
    status.problem = "fragment: none at " + fragment_path(host.config_dir, plan.cluster);
    return;
  }
  status.fragment = parse_fragment_file(fragment->text);
  status.modified = fragment->modified;
  status.fragment_current =
      status.fragment->primary_id == plan.primary.id && status.fragment->target == plan.target;
  status.unserved =
      unserved_fragment(*remote, host, fragment_path(host.config_dir, plan.cluster)).value_or("");
}

// SERVERS of the databases of ROUTES, counted per server, in the order first seen.
std::vector<ServerCount> count_servers(const std::vector<ServerConnection>& servers,
                                       const std::vector<Route>& routes) {
  std::vector<ServerCount> counts;
  for (const ServerConnection& server : servers) {
    if (std::none_of(routes.begin(), routes.end(),
                     [&](const Route& r) { return r.key == server.database; })) {
      continue;
    }
    auto count = std::find_if(counts.begin(), counts.end(), [&](const ServerCount& c) {
      return c.addr == server.addr && c.port == server.port;
    });
    if (count == counts.end()) {
      count = counts.insert(counts.end(), {server.addr, server.port, 0});
    }
    ++count->connections;
  }
  return counts;
}

void read_live(const DeployPlan& plan, AdminConnector& admin, const AppServer& host,
               HostStatus& status, HostDeadline& deadline) {
  // What PgBouncer should serve: the fragment in place, else what a deploy would write.
  const std::vector<Route> routes =
      status.fragment ? status.fragment->routes : routes_of(fragment_input_for(plan, host));
  const auto console = admin.connect(*host.admin_conninfo, deadline);
  deadline.begin("verify");
  const std::vector<RoutedDatabase> served = console->show_databases();
  for (const RoutedDatabase& db : served) {
    if (std::any_of(routes.begin(), routes.end(),
                    [&](const Route& r) { return r.key == db.name; })) {
      status.live.push_back(db);
    }
  }
  // Writes must reach the primary: the routes that go where the fragment sends writes.
  const std::optional<Endpoint> writes_to =
      status.fragment ? status.fragment->target : std::optional(plan.target);
  std::vector<Route> writes;
  for (const Route& route : routes) {
    if (!writes_to || route.target == *writes_to) {
      writes.push_back({route.key, route.dbname, plan.target});
    }
  }
  status.live_current = !routing_problem(served, writes);
  status.servers = count_servers(console->show_servers(), routes);
}

}  // namespace

HostStatus read_host_status(const DeployPlan& plan, HostConnector& ssh, AdminConnector& admin,
                            const AppServer& host, const TimeLimits& limits) {
  HostDeadline deadline(limits);
  HostStatus status;
  status.name = host.name;
  status.address = host.address;
  status.has_console = host.admin_conninfo.has_value();
  status.live_current = !status.has_console;
  try {
    check_row(host);
    read_fragment(plan, ssh, host, status, deadline);
  } catch (const HostError& e) {
    status.problem = e.step() + ": " + e.what();
  } catch (const std::exception& e) {
    status.problem = std::string("internal: ") + e.what();
  }
  if (status.has_console) {
    try {
      read_live(plan, admin, host, status, deadline);
    } catch (const HostError& e) {
      status.problem += (status.problem.empty() ? "" : "; ") + e.step() + ": " + e.what();
    } catch (const std::exception& e) {
      status.problem += (status.problem.empty() ? "" : "; ") + std::string("internal: ") + e.what();
    }
  }
  return status;
}

namespace {

// The rows of AGENTS as their acknowledgements in etcd tell them; without ETCD, unknown.
std::vector<HostStatus> agent_statuses(const Options& options, const DeployPlan& plan,
                                       const std::vector<AppServer>& agents,
                                       etcd::EtcdClient* etcd) {
  std::map<std::string, AgentAck> acks;
  std::string problem;
  if (etcd == nullptr) {
    problem = "agent: read from etcd, and this run has no --etcd";
  } else {
    try {
      acks = read_agent_acks(*etcd, options.etcd.prefix, plan.cluster);
    } catch (const etcd::EtcdError& e) {
      problem = std::string("agent: ") + e.what();
    }
  }
  std::vector<HostStatus> statuses;
  for (const AppServer& agent : agents) {
    HostStatus status;
    status.name = agent.name;
    status.address = agent.address;
    status.agent = true;
    status.ack_read = problem.empty();
    status.live_current = true;
    status.problem = problem;
    if (const auto found = acks.find(agent.name); found != acks.end()) {
      status.ack = found->second;
      status.modified = found->second.time;
      status.fragment_current = ack_current(found->second, plan);
    } else if (problem.empty()) {
      status.problem =
          "agent: no acknowledgement (its agent never wrote one, or its lease expired)";
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

std::vector<HostStatus> read_statuses(const Options& options, const DeployPlan& plan,
                                      const std::vector<AppServer>& enabled,
                                      const HostConnectorLoader& load_ssh, AdminConnector& admin,
                                      const TimeLimits& limits, etcd::EtcdClient* etcd) {
  std::vector<HostStatus> agents =
      agent_statuses(options, plan, delivered_by(enabled, Delivery::agent), etcd);
  const std::vector<AppServer> hosts = delivered_by(enabled, Delivery::ssh);
  if (hosts.empty() && !agents.empty()) {
    return agents;  // a fleet of agents only: no SSH key is loaded
  }
  const SshFiles files = ssh_files(options);
  HostConnector& ssh = load_ssh(files.key, files.known_hosts);
  Progress progress("app servers answered", hosts.size(), STDERR_FILENO);
  std::vector<HostStatus> statuses =
      visit_in_parallel<HostStatus>(hosts, options.jobs, [&](const AppServer& host) {
        HostStatus status = read_host_status(plan, ssh, admin, host, limits);
        progress.step();
        return status;
      });
  statuses.insert(statuses.end(), std::make_move_iterator(agents.begin()),
                  std::make_move_iterator(agents.end()));
  return statuses;
}

}  // namespace

namespace {

ExitCode status_once(const Options& options, const DatabaseOpener& open,
                     const HostConnectorLoader& load_ssh, AdminConnector& admin, std::ostream& out,
                     bool terminal, etcd::EtcdClient* etcd) {
  const TimeLimits limits = limits_for(options);
  std::optional<DeployPlan> plan;
  std::vector<HostStatus> hosts;
  ExitCode code = ExitCode::ok;
  std::string error;
  try {
    std::optional<RepmgrConfig> config;
    if (options.repmgr_config) {
      config = read_repmgr_config(*options.repmgr_config);
    }
    // Secrets are skipped and the plan has no extra files: status shows no secret and needs none.
    const ClusterState state =
        read_cluster(options, local_conninfo(options, config), open, Secrets::skip);
    plan = plan_for(options, state);
    hosts = read_statuses(options, *plan, enabled_servers(state), load_ssh, admin, limits, etcd);
    const bool all_current =
        std::all_of(hosts.begin(), hosts.end(), [](const HostStatus& h) { return h.current(); });
    // A view that is stale cannot vouch for any host.
    code = all_current && !stale_view_warning(*plan, hosts) ? ExitCode::ok : ExitCode::host_failed;
  } catch (...) {
    // The report goes to stdout also when the run fails.
    Failure failure = report_failure();
    // Status acts on nothing: an unsafe metadata state is a database problem like any other.
    code = failure.code == ExitCode::safety_refusal ? ExitCode::metadata : failure.code;
    error = std::move(failure.message);
  }
  if (options.json) {
    out << status_json(options.cluster, plan ? &*plan : nullptr, hosts, code, error);
  } else if (plan) {
    out << render_status(*plan, hosts, terminal);
  }
  out.flush();
  return code;
}

// Waits SECONDS; false, at once, when a signal asks to stop.
bool wait_unless_interrupted(int seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (interrupting_signal() == 0) {
    if (std::chrono::steady_clock::now() >= end) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// status --watch: every round in full, then the next; on a terminal each replaces the one
// before (the screen is cleared), elsewhere they follow each other. With --json, one object a
// line per round.
ExitCode watch_status(const Options& options, const DatabaseOpener& open,
                      const HostConnectorLoader& load_ssh, AdminConnector& admin, std::ostream& out,
                      bool terminal, etcd::EtcdClient* etcd) {
  catch_interrupts();
  ExitCode code = ExitCode::ok;
  do {
    std::ostringstream round;
    code = status_once(options, open, load_ssh, admin, round, terminal, etcd);
    if (terminal) {
      out << "\033[H\033[2J";  // cursor home, clear the screen
    }
    if (!options.json) {
      out << "Every " << *options.watch_seconds << " s: pgdeploy status -c " << options.cluster
          << ", " << utc_iso8601(std::chrono::system_clock::now()) << " (interrupt to stop)\n\n";
    }
    out << round.str();
    out.flush();
  } while (wait_unless_interrupted(*options.watch_seconds));
  return code;
}

}  // namespace

ExitCode run_status(const Options& options, const DatabaseOpener& open,
                    const HostConnectorLoader& load_ssh, AdminConnector& admin, std::ostream& out,
                    bool terminal, etcd::EtcdClient* etcd) {
  if (options.watch_seconds) {
    return watch_status(options, open, load_ssh, admin, out, terminal, etcd);
  }
  return status_once(options, open, load_ssh, admin, out, terminal, etcd);
}

}  // namespace pgdeploy
