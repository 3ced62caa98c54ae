#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <memory>

#include "app/agent_program.hpp"
#include "app/connectors.hpp"
#include "app/programs_check.hpp"
#include "cli/build_token.hpp"
#include "cli/core_program.hpp"
#include "cli/event_gate.hpp"
#include "cli/front.hpp"
#include "deploy/deploy_memo.hpp"
#include "deploy/fleet.hpp"
#include "deploy/host_deployer.hpp"
#include "deploy/host_inspector.hpp"
#include "doctor/doctor.hpp"
#include "metadata/read_cluster.hpp"
#include "model/app_server.hpp"
#include "plan/planner.hpp"
#include "publish/agent_acks.hpp"
#include "publish/etcd_settings.hpp"
#include "publish/publisher.hpp"
#include "report/check_line.hpp"
#include "report/json_report.hpp"
#include "report/metrics.hpp"
#include "report/report.hpp"
#include "status/status.hpp"
#include "util/atomic_file.hpp"
#include "util/deadline.hpp"
#include "util/descriptors.hpp"
#include "util/errors.hpp"
#include "util/failure.hpp"
#include "util/interrupt.hpp"
#include "util/run_lock.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// Colours on stdout: only for a terminal, and never when NO_COLOR is set (no-color.org).
bool colours_wanted() {
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');
}

void log_event(const EventOptions& event, const std::optional<RepmgrConfig>& config) {
  if (!event.event) {
    return;
  }
  std::optional<int> node = event.node_id;
  if (!node && config) {
    node = config->node_id;
  }
  spdlog::info("repmgr event {} on node {}: deploying", *event.event,
               node ? std::to_string(*node) : std::string("?"));
  if (!event.details.empty()) {
    spdlog::debug("event details: {}", event.details);
  }
}

HostOutcome not_started(const AppServer& host, const std::string& why) {
  return {host.name, host.address, HostResult::failed, "not started: " + why, {}, {}};
}

// Why a host is not started any more; nullopt while hosts may start.
std::optional<std::string> stop_reason(const TimeLimits& limits) {
  if (interrupting_signal() != 0) {
    return std::string("interrupted by ") + strsignal(interrupting_signal());
  }
  if (limits.run_expired()) {
    return "run deadline of " + std::to_string(limits.run.count() / 1000) + " s reached";
  }
  return std::nullopt;
}

// A host with nothing to do is a debug line: the timer visits every host every minute.
void log_outcome(const HostOutcome& outcome) {
  if (outcome.result == HostResult::failed || outcome.result == HostResult::refused) {
    spdlog::error("{}", describe(outcome));
  } else if (outcome.result == HostResult::unchanged) {
    spdlog::debug("{}", describe(outcome));
  } else {
    spdlog::info("{}", describe(outcome));
  }
}

// The closing line of a deploy: a debug line when every host was current already and nobody
// watches (the timer, a cron job: stderr is no terminal), so that the journal shows only runs
// that changed or failed something; an info line otherwise.
void log_summary(const Options& options, const RunReport& report) {
  const bool all_current =
      count_results(report.hosts, HostResult::unchanged) == static_cast<long>(report.hosts.size());
  const std::string line = summarize(*report.plan, report.hosts);
  if (options.mode == Mode::deploy && all_current && ::isatty(STDERR_FILENO) == 0) {
    spdlog::debug("{}", line);
  } else {
    spdlog::info("{}", line);
  }
}

// Visits every enabled host: deploys, or only inspects for --dry-run and --check.
// Hosts in flight when the run deadline passes are cut by their own deadline, clipped to it.
std::vector<HostOutcome> visit_hosts(const Options& options, const DeployPlan& plan,
                                     const std::vector<AppServer>& hosts, HostConnector& ssh,
                                     AdminConnector& admin, const TimeLimits& limits) {
  HostDeployer deployer(plan, ssh, admin, limits);
  HostInspector inspector(plan, ssh, limits);
  return deploy_in_parallel(hosts, options.jobs, [&](const AppServer& host) {
    const auto stop = stop_reason(limits);
    HostOutcome outcome = stop                           ? not_started(host, *stop)
                          : options.mode == Mode::deploy ? deployer.deploy(host)
                                                         : inspector.inspect(host);
    log_outcome(outcome);
    return outcome;
  });
}

// How long a deploy that reached every host spares a repmgr event the same work: long enough
// for the second event of one failover, short enough that a later event always pushes.
constexpr std::chrono::seconds memo_age{60};

// The deploy record beside the lock file: <cluster>.deployed.
std::filesystem::path memo_path(const RunLock& lock) {
  return std::filesystem::path(lock.path()).replace_extension(".deployed");
}

// The cluster as the metadata describes it. An error reading it says whether something could
// have been pushed.
ClusterState read_state(const Options& options, const std::optional<RepmgrConfig>& config,
                        Connectors& connectors) {
  try {
    return read_cluster(options, local_conninfo(options, config), connectors.database(),
                        Secrets::read);
  } catch (const Error& e) {
    throw Error(e.exit_code(), before_any_host(e.what(), options.mode));
  }
}

// The etcd client of a deploy given --etcd, else null. Built before the database is asked
// anything, so that its configuration errors (the password file) come first.
std::unique_ptr<etcd::EtcdClient> etcd_client_for(const Options& options,
                                                  const TimeLimits& limits) {
  if (options.etcd.endpoints.empty() || options.mode != Mode::deploy) {
    return nullptr;
  }
  return std::make_unique<etcd::EtcdClient>(etcd_settings(options.etcd), limits);
}

// Publishes the state for agents with CLIENT, if any. Returns the state's revision (0 without
// CLIENT), or nullopt when etcd failed: the app servers are still pushed, and the run's exit
// code says it failed. A publish the store's epoch refuses ends the run (safety refusal)
// before any host.
std::optional<std::int64_t> publish_for_agents(etcd::EtcdClient* client, const Options& options,
                                               const DeployPlan& plan,
                                               const std::vector<AppServer>& hosts) {
  if (client == nullptr) {
    return 0;
  }
  try {
    return publish_state(*client, options.etcd.prefix, plan, hosts);
  } catch (const etcd::EtcdError& e) {
    spdlog::error("{}; nothing published, the app servers are still pushed", e.what());
    return std::nullopt;
  }
}

// The SSH connector, its key and known_hosts loaded now: only a run that pushes over SSH reads
// them. A file that cannot be loaded is a configuration error (exit 2) before any host.
HostConnector& ssh_connector(const Options& options, Connectors& connectors) {
  try {
    return connectors.ssh(ssh_files(options));
  } catch (const Error& e) {
    throw Error(e.exit_code(), before_any_host(e.what(), options.mode));
  }
}

// What the run tells of the agent rows: their acknowledgements with --wait-agents, a failure
// each when nothing delivers to them (a deploy without --etcd), else nothing (their agents pull
// what was published; --dry-run and --check look at SSH hosts only).
std::vector<HostOutcome> agent_outcomes(etcd::EtcdClient* client,
                                        std::optional<std::int64_t> published,
                                        const Options& options, const TimeLimits& limits,
                                        const DeployPlan& plan,
                                        const std::vector<AppServer>& agents) {
  std::vector<HostOutcome> outcomes;
  if (agents.empty()) {
    return outcomes;
  }
  if (options.mode != Mode::deploy) {
    spdlog::debug("agent rows left to their agents: {}", names_of(agents));
    return outcomes;
  }
  std::string failure;
  if (client == nullptr) {
    spdlog::warn("app_servers rows with delivery agent and no --etcd: nothing delivers to {}",
                 names_of(agents));
    failure = "not delivered: delivery is agent, and this run publishes to no etcd (--etcd)";
  } else if (!published) {
    failure = "not delivered: the publish to etcd failed";
  } else if (!options.etcd.wait_agents) {
    spdlog::debug("published for the agents of {}; not waiting for them (no --wait-agents)",
                  names_of(agents));
    return outcomes;
  } else {
    try {
      // Within the run's deadline, which also bounds every etcd call.
      const int wait = std::min(*options.etcd.wait_agents, limits.run_seconds_left());
      outcomes = wait_for_agents(*client, options.etcd.prefix, plan, *published, agents,
                                 std::chrono::seconds(wait));
    } catch (const etcd::EtcdError& e) {
      failure = std::string("agent: acknowledgements unreadable: ") + e.what();
    }
  }
  if (!failure.empty()) {
    for (const AppServer& agent : agents) {
      outcomes.push_back({agent.name, agent.address, HostResult::failed, failure, {}, {}});
    }
  }
  for (HostOutcome& outcome : outcomes) {
    outcome.agent = true;
    log_outcome(outcome);
  }
  return outcomes;
}

// Reads the metadata and visits the hosts, filling REPORT. Returns the exit code.
ExitCode run_cluster(const Options& options, Connectors& connectors, RunReport& report) {
  const TimeLimits limits = limits_for(options);
  // Configuration problems (exit 2) come out before the database is asked anything.
  std::optional<RepmgrConfig> config;
  if (options.repmgr_config) {
    config = read_repmgr_config(*options.repmgr_config);
  }
  const std::unique_ptr<etcd::EtcdClient> etcd = etcd_client_for(options, limits);
  log_event(options.event, config);
  if (!etcd) {
    // Every row is pushed over SSH: a key or known_hosts that cannot be loaded is a
    // configuration error before the database is asked anything. With --etcd they are loaded
    // only once a row delivered over SSH is found: a fleet of agents needs neither.
    connectors.ssh(ssh_files(options));
  }
  // Read-only runs need not wait for a deploying one.
  std::optional<RunLock> lock;
  if (options.mode == Mode::deploy) {
    // The wait for the lock counts against the run's deadline too.
    lock.emplace(RunLock::acquire(options.cluster,
                                  std::min(options.lock_wait_seconds, limits.run_seconds_left()),
                                  lock_directory(options.lock_dir)));
  }
  const ClusterState state = read_state(options, config, connectors);
  if (interrupting_signal() != 0) {
    throw Error(ExitCode::interrupted,
                before_any_host(std::string("interrupted by ") + strsignal(interrupting_signal()) +
                                    " before any app server was contacted",
                                options.mode));
  }
  report.plan = plan_for(options, state);
  add_extra_files(*report.plan, options, state);
  const std::vector<AppServer> hosts = enabled_servers(state);
  // A failed publish is an app server's kind of failure: exit 1, the others still served.
  const auto published = publish_for_agents(etcd.get(), options, *report.plan, hosts);
  const ExitCode published_code = published ? ExitCode::ok : ExitCode::host_failed;
  if (hosts.empty()) {
    spdlog::warn("no enabled app servers in {}.app_servers; nothing to do", state.schema);
    return published_code;
  }
  const std::string fingerprint = deploy_fingerprint(*report.plan, hosts);
  if (lock && options.event.event && recently_deployed(memo_path(*lock), fingerprint, memo_age)) {
    spdlog::info(
        "repmgr event {}: this node deployed the same to all {} app servers less than "
        "{} s ago; nothing to do",
        *options.event.event, hosts.size(), memo_age.count());
    return published_code;
  }
  const std::vector<AppServer> ssh_hosts = delivered_by(hosts, Delivery::ssh);
  if (!ssh_hosts.empty()) {
    report.hosts = visit_hosts(options, *report.plan, ssh_hosts, ssh_connector(options, connectors),
                               connectors.admin(), limits);
  } else {
    spdlog::debug("every enabled app server is an agent row: no SSH connection");
  }
  const auto agents = agent_outcomes(etcd.get(), published, options, limits, *report.plan,
                                     delivered_by(hosts, Delivery::agent));
  report.hosts.insert(report.hosts.end(), agents.begin(), agents.end());
  log_summary(options, report);
  const ExitCode hosts_code = exit_code_for(report.hosts, options.mode);
  const ExitCode code = hosts_code == ExitCode::ok ? published_code : hosts_code;
  if (lock && code == ExitCode::ok && interrupting_signal() == 0) {
    remember_deploy(memo_path(*lock), fingerprint);
  } else if (lock) {
    forget_deploy(memo_path(*lock));
  }
  if (interrupting_signal() != 0) {
    spdlog::warn("interrupted by {}: hosts in flight finished, the others were left as they were",
                 strsignal(interrupting_signal()));
    // Whatever the hosts did, the run did not finish: the next one must.
    return ExitCode::interrupted;
  }
  return code;
}

// What goes to stdout: the JSON report, the diffs of --dry-run, the status line of --check.
void print_report(const Options& options, const RunReport& report) {
  if (options.json) {
    std::cout << json_report(report);
  } else if (options.mode == Mode::dry_run) {
    for (const HostOutcome& host : report.hosts) {
      std::cout << printable_lines(host.diff);
    }
  } else if (options.mode == Mode::check) {
    std::cout << printable(check_status_line(report.hosts, report.exit_code, report.error,
                                             report.duration))
              << "\n";
  }
  std::cout.flush();
}

// The run's metrics to --metrics-file. A file that cannot be written is an error in the log; the
// run's result stays what it was.
void write_metrics(const Options& options, const RunReport& report) {
  if (!options.metrics_file) {
    return;
  }
  try {
    write_file_atomically(
        *options.metrics_file,
        prometheus_metrics(report, options.mode, std::chrono::system_clock::now()), 0644);
  } catch (const Error& e) {
    spdlog::error("{}; the run's exit status is unchanged", e.what());
  }
}

// OPTIONS with -j lowered to what the open files limit allows, once that limit is raised as
// far as it goes: a host that finds no descriptor left fails with a misleading message from
// whichever library hit the limit.
Options within_descriptor_limit(Options options) {
  const long limit = raise_descriptor_limit();
  if (const int jobs = jobs_within(options.jobs, limit); jobs < options.jobs) {
    spdlog::warn(
        "-j {} lowered to {}: the open files limit (RLIMIT_NOFILE {}) allows no more "
        "app servers at once",
        options.jobs, jobs, limit);
    options.jobs = jobs;
  }
  return options;
}

// A deploy, --dry-run or --check: the report goes to stdout also when the run fails.
int run_deploy(const Options& options) {
  const auto started = std::chrono::steady_clock::now();
  RunReport report{options.cluster, std::nullopt, {}, ExitCode::ok, ""};
  try {
    if (const auto skipped = skip_for_event(options.event)) {
      return static_cast<int>(*skipped);
    }
    catch_interrupts();
    Connectors connectors(options);
    report.exit_code = run_cluster(options, connectors, report);
  } catch (...) {
    const Failure failure = report_failure();
    report.exit_code = failure.code;
    report.error = failure.message;
  }
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (options.mode == Mode::check) {
    // A monitoring plugin's exit status, which --json reports too.
    report.exit_status = static_cast<int>(check_state(report.hosts, report.exit_code));
  } else {
    report.exit_status = static_cast<int>(report.exit_code);
  }
  print_report(options, report);
  write_metrics(options, report);
  return report.exit_status;
}

}  // namespace

int run(int argc, const char* const* argv) {
  const CommandLine command_line = start_run(argc, argv);
  check_front_end_build(build_token);
  if (command_line.early_end != EarlyEnd::none) {
    return static_cast<int>(ExitCode::ok);
  }
  if (const auto problem = wait_agents_problem(command_line.options)) {
    throw usage_error(*problem);
  }
  const Options options = within_descriptor_limit(command_line.options);
  switch (options.command) {
    case Command::status:
    case Command::doctor: {
      // Both report on stdout and change nothing (doctor but for its probe key in etcd).
      Connectors connectors(options);
      const auto etcd = options.etcd.endpoints.empty()
                            ? nullptr
                            : std::make_unique<etcd::EtcdClient>(etcd_settings(options.etcd),
                                                                 limits_for(options));
      if (options.command == Command::status) {
        return static_cast<int>(run_status(options, connectors.database(), connectors.ssh_loader(),
                                           connectors.admin(), std::cout, colours_wanted(),
                                           etcd.get()));
      }
      return static_cast<int>(run_doctor(options, check_programs(), connectors.database(),
                                         connectors.ssh_loader(), connectors.admin(), std::cout,
                                         etcd.get()));
    }
    case Command::agent:
      // The front end hands `pgdeploy agent` to the agent program; the core program, run
      // directly, runs it too.
      return run_agent_command(options);
    case Command::deploy:
      break;
  }
  return run_deploy(options);
}

}  // namespace pgdeploy
