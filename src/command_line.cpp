#include "pgdeploy/command_line.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "pgdeploy/errors.hpp"
#include "pgdeploy/version.hpp"

namespace pgdeploy {
namespace {

// Values CLI11 fills that the options hold in another form.
struct RawFlags {
  std::string pgconnstring;
  std::string repmgr_config;
  std::string ssh_key;
  std::string known_hosts;
  std::string event;
  std::string success;
  int node_id = 0;
  bool verbose = false;
  bool quiet = false;
};

// The options repmgr fills in when it runs pgdeploy as its event_notification_command.
void add_event_options(CLI::App& app, EventOptions& event, RawFlags& raw) {
  const char* group = "repmgr event (event_notification_command)";
  app.add_option("--event", raw.event, "%e: only events that can move writes deploy")
      ->group(group);
  app.add_option("--node-id", raw.node_id, "%n: the node where the event happened")->group(group);
  app.add_option("--success", raw.success, "%s: 1, or 0 to deploy nothing")->group(group);
  app.add_option("--details", event.details, "%d: repmgr's description, logged")->group(group);
}

// Copies what was given of RAW into OPTIONS; absent options stay unset.
void apply_raw(const CLI::App& app, const RawFlags& raw, Options& options) {
  const auto given = [&](const char* name) { return app.count(name) > 0; };
  if (given("--pgconnstring")) {
    options.pgconnstring = raw.pgconnstring;
  }
  if (given("--repmgr-config")) {
    options.repmgr_config = raw.repmgr_config;
  }
  if (given("--ssh-key")) {
    options.ssh_key = raw.ssh_key;
  }
  if (given("--known-hosts")) {
    options.known_hosts = raw.known_hosts;
  }
  if (given("--event")) {
    options.event.event = raw.event;
  }
  if (given("--node-id")) {
    options.event.node_id = raw.node_id;
  }
  if (given("--success")) {
    options.event.success = raw.success;
  }
  options.verbosity =
      raw.verbose ? Verbosity::verbose : (raw.quiet ? Verbosity::quiet : Verbosity::normal);
}

void add_options(CLI::App& app, Options& options, RawFlags& raw) {
  // As in most Unix tools, an option given twice takes its last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("-c,--cluster", options.cluster, "repmgr cluster name; names <config_dir>/NAME.ini")
      ->required()
      ->check([](const std::string& name) {
        return is_valid_cluster_name(name) ? std::string()
                                           : "cluster name must match [A-Za-z0-9_-]+: " + name;
      });
  app.add_option("-p,--pgconnstring", raw.pgconnstring,
                 std::string("libpq conninfo of the local repmgr database (default: repmgr.conf's "
                             "conninfo, else ") + default_pgconnstring + ")");
  app.add_option("-f,--repmgr-config", raw.repmgr_config,
                 "repmgr.conf: its conninfo is the default for --pgconnstring");
  app.add_option("-t,--timeout", options.timeout_seconds,
                 "per-host connect/IO timeout in seconds (SSH and admin console)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_flag("-P,--public-net", options.public_net,
               "take the primary's address from node_public_info");
  app.add_option("--ssh-key", raw.ssh_key,
                 "private key (default: ~/.ssh/id_ed25519, id_ecdsa or id_rsa)");
  app.add_option("--known-hosts", raw.known_hosts,
                 "known_hosts file (default: ~/.ssh/known_hosts); host keys are always checked");
  app.add_option("-j,--jobs", options.jobs, "app servers in flight at once")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  add_event_options(app, options.event, raw);
  app.add_flag("--force", options.force,
               "replace fragments even when they carry a newer timeline than the primary's "
               "(after rebuilding a cluster from scratch)");
  app.add_flag("-v,--verbose", raw.verbose, "log every remote operation");
  app.add_flag("-q,--quiet", raw.quiet, "log only warnings and errors");
  app.set_version_flag("--version", std::string("pgdeploy ") + version);
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const* argv) {
  CommandLine result;
  CLI::App app{"Points PgBouncer on every application server at the active repmgr primary.",
               "pgdeploy"};
  RawFlags raw;
  add_options(app, result.options, raw);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help, the version or the error; usage errors exit 2 like every other.
    const int code = app.exit(e);
    result.early_exit = code == 0 ? 0 : static_cast<int>(ExitCode::usage);
    return result;
  }
  if (raw.verbose && raw.quiet) {
    std::cerr << "pgdeploy: error: --verbose and --quiet exclude each other\n";
    result.early_exit = static_cast<int>(ExitCode::usage);
  }
  apply_raw(app, raw, result.options);
  return result;
}

}  // namespace pgdeploy
