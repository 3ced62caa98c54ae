#include "pgdeploy/command_line.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "pgdeploy/errors.hpp"
#include "pgdeploy/version.hpp"

namespace pgdeploy {
namespace {

// Values CLI11 fills that the options hold in another form.
struct RawFlags {
  std::string config_file;
  std::string sync_userlist;
  std::string ro_suffix;
  bool dry_run = false;
  bool check = false;
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

// The options of runs from a timer or by hand: what to do, what to report, what else to move.
void add_operator_options(CLI::App& app, Options& options, RawFlags& raw) {
  auto* dry_run =
      app.add_flag("--dry-run", raw.dry_run, "show per host what would change; change nothing");
  app.add_flag("--check", raw.check,
               "monitoring: exit 0 when every host is current, 1 on drift; change nothing")
      ->excludes(dry_run);
  app.add_flag("--json", options.json, "print a machine-readable report on stdout");
  app.add_option("--config", raw.config_file,
                 "configuration file (default: /etc/pgdeploy.ini when it exists)");
  app.add_option("--lock-wait", options.lock_wait_seconds,
                 "seconds to wait for another run of the same cluster")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  const std::map<std::string, Sessions> sessions{
      {"keep", Sessions::keep}, {"reconnect", Sessions::reconnect}, {"kill", Sessions::kill}};
  app.add_option("--sessions", options.sessions,
                 "client sessions of a re-pointed PgBouncer: keep, reconnect or kill")
      ->transform(CLI::CheckedTransformer(sessions, CLI::ignore_case).description(""))
      ->type_name("keep|reconnect|kill")
      ->default_str("reconnect");
  app.add_flag("--pause", options.pause, "wrap the switch in PAUSE/RESUME (admin console)");
  app.add_option("--sync-userlist", raw.sync_userlist,
                 std::string("write PgBouncer's userlist from pg_shadow (default path ") +
                     default_userlist_path + ")")
      ->expected(0, 1);
  app.add_flag("--sync-pgpass", options.sync_pgpass,
               "copy ~/.pgpass to app servers whose auth_trust is false");
  app.add_option("--ro-suffix", raw.ro_suffix,
                 "also route NAME<SUFFIX> to a running standby");
  app.add_flag("--syslog", options.syslog, "log to syslog instead of stderr");
}

// Copies what was given of RAW into OPTIONS; absent options stay unset.
void apply_raw(const CLI::App& app, const RawFlags& raw, Options& options) {
  const auto given = [&](const char* name) { return app.count(name) > 0; };
  if (given("--config")) {
    options.config_file = raw.config_file;
  }
  if (given("--sync-userlist")) {
    options.sync_userlist = raw.sync_userlist.empty() ? default_userlist_path : raw.sync_userlist;
  }
  if (given("--ro-suffix")) {
    options.ro_suffix = raw.ro_suffix;
  }
  options.mode = raw.dry_run ? Mode::dry_run : (raw.check ? Mode::check : Mode::deploy);
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
  add_operator_options(app, options, raw);
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
