#include "pgdeploy/app.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "pgdeploy/catalog.hpp"
#include "pgdeploy/command_line.hpp"
#include "pgdeploy/errors.hpp"
#include "pgdeploy/events.hpp"
#include "pgdeploy/fleet.hpp"
#include "pgdeploy/host_deployer.hpp"
#include "pgdeploy/interrupt.hpp"
#include "pgdeploy/logging.hpp"
#include "pgdeploy/pgbouncer_console.hpp"
#include "pgdeploy/pgbouncer_syntax.hpp"
#include "pgdeploy/postgres_connection.hpp"
#include "pgdeploy/primary_check.hpp"
#include "pgdeploy/repmgr_config.hpp"
#include "pgdeploy/report.hpp"
#include "pgdeploy/ssh_connector.hpp"

namespace pgdeploy {
namespace {

// The local repmgr database: -p, else repmgr.conf's conninfo, else the default.
std::string local_conninfo(const Options& options, const std::optional<RepmgrConfig>& config) {
  if (options.pgconnstring) {
    return *options.pgconnstring;
  }
  return config ? *config->conninfo : std::string(default_pgconnstring);
}

// Reads the metadata where it is current and checks that the primary it names is writable.
ClusterState read_cluster(const Options& options, const std::string& conninfo) {
  const DatabaseOpener open = [&](const std::string& target) {
    spdlog::debug("connecting to {}", redact_conninfo(target));
    return std::make_unique<PostgresConnection>(target, options.timeout_seconds);
  };
  ClusterState state = Catalog(*open_writable_node(conninfo, open), options.cluster)
                           .read(options.public_net);
  state.epoch = read_primary_epoch(state.primary, open);
  return state;
}

void log_event(const EventOptions& event, const std::optional<RepmgrConfig>& config) {
  if (!event.event) {
    return;
  }
  const std::optional<int> node = event.node_id ? event.node_id : (config ? config->node_id
                                                                           : std::nullopt);
  spdlog::info("repmgr event {} on node {}: deploying", *event.event,
               node ? std::to_string(*node) : std::string("?"));
  if (!event.details.empty()) {
    spdlog::debug("event details: {}", event.details);
  }
}

DeployPlan plan_for(const Options& options, const ClusterState& state) {
  DeployPlan plan{options.cluster, state.primary, state.primary_endpoint, state.epoch, {},
                  !options.force};
  if (options.force) {
    spdlog::warn("--force: NOT checking the timelines of the fragments in place; a fragment "
                 "written for a newer primary will be replaced by node {} on timeline {}",
                 state.primary.id, state.epoch.timeline);
  }
  for (const std::string& name : state.databases) {
    if (is_representable_database(name)) {
      plan.databases.push_back(name);
    } else {
      spdlog::warn("database \"{}\" left out: PgBouncer cannot route a database of that name",
                   comment_text(name));
    }
  }
  return plan;
}

std::vector<AppServer> enabled_servers(const ClusterState& state) {
  std::vector<AppServer> enabled;
  for (const AppServer& server : state.app_servers) {
    if (server.enabled) {
      enabled.push_back(server);
    } else {
      spdlog::debug("{} ({}): disabled, left alone", server.name, server.address);
    }
  }
  return enabled;
}

HostOutcome not_started(const AppServer& host) {
  return {host.name, host.address, HostResult::failed,
          std::string("not started: interrupted by ") + strsignal(interrupting_signal()), {}};
}

ExitCode deploy(const Options& options) {
  // Configuration problems (exit 2) come out before the database is asked anything.
  std::optional<RepmgrConfig> config;
  if (options.repmgr_config) {
    config = read_repmgr_config(*options.repmgr_config);
  }
  log_event(options.event, config);
  const auto ssh_dir = user_ssh_dir();
  SshConnector ssh(resolve_ssh_key(options, ssh_dir), resolve_known_hosts(options, ssh_dir),
                   options.timeout_seconds);
  const ClusterState state = read_cluster(options, local_conninfo(options, config));
  if (interrupting_signal() != 0) {
    throw Error(ExitCode::host_failed, std::string("interrupted by ") +
                                           strsignal(interrupting_signal()) +
                                           " before any app server was contacted; nothing pushed");
  }
  const DeployPlan plan = plan_for(options, state);
  const std::vector<AppServer> hosts = enabled_servers(state);
  if (hosts.empty()) {
    spdlog::warn("no enabled app servers in {}.app_servers; nothing to do", state.schema);
    return ExitCode::ok;
  }
  PgBouncerConnector admin(options.timeout_seconds);
  HostDeployer deployer(plan, ssh, admin);
  const auto outcomes = deploy_in_parallel(hosts, options.jobs, [&](const AppServer& host) {
    HostOutcome outcome = interrupting_signal() != 0 ? not_started(host) : deployer.deploy(host);
    if (outcome.result == HostResult::updated) {
      spdlog::info("{}", describe(outcome));
    } else {
      spdlog::error("{}", describe(outcome));
    }
    return outcome;
  });
  spdlog::info("{}", summarize(plan, outcomes));
  if (interrupting_signal() != 0) {
    spdlog::warn("interrupted by {}: hosts in flight finished, the others were left as they were",
                 strsignal(interrupting_signal()));
    return std::max(exit_code_for(outcomes), ExitCode::host_failed);
  }
  return exit_code_for(outcomes);
}

// Runs of repmgr's event hook that need no deployment end here, before anything is read:
// repmgr waits for the hook, so this path must cost next to nothing.
std::optional<ExitCode> skip_for_event(const EventOptions& event) {
  switch (decide_for_event(event)) {
    case EventDecision::irrelevant:
      spdlog::debug("repmgr event {} cannot move writes; nothing to do", *event.event);
      return ExitCode::ok;
    case EventDecision::failed:
      spdlog::warn("repmgr event {} on node {} reports failure (--success=0); nothing deployed",
                   *event.event, event.node_id ? std::to_string(*event.node_id) : "?");
      return ExitCode::ok;
    case EventDecision::deploy:
      break;
  }
  return std::nullopt;
}

}  // namespace

int run(int argc, const char* const* argv) {
  const CommandLine command_line = parse_command_line(argc, argv);
  if (command_line.early_exit) {
    return *command_line.early_exit;
  }
  setup_logging(command_line.options.verbosity);
  try {
    if (const auto skipped = skip_for_event(command_line.options.event)) {
      return static_cast<int>(*skipped);
    }
    catch_interrupts();
    return static_cast<int>(deploy(command_line.options));
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    spdlog::critical("unexpected failure: {}", e.what());
    return static_cast<int>(ExitCode::host_failed);
  }
}

}  // namespace pgdeploy
