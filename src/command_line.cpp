#include "pgdeploy/command_line.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "pgdeploy/errors.hpp"
#include "pgdeploy/version.hpp"

namespace pgdeploy {
namespace {

// Values CLI11 fills that the options hold in another form.
struct RawFlags {
  std::string ssh_key;
  std::string known_hosts;
  bool verbose = false;
  bool quiet = false;
};

void add_options(CLI::App& app, Options& options, RawFlags& raw) {
  // As in most Unix tools, an option given twice takes its last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("-c,--cluster", options.cluster, "repmgr cluster name; names <config_dir>/NAME.ini")
      ->required()
      ->check([](const std::string& name) {
        return is_valid_cluster_name(name) ? std::string()
                                           : "cluster name must match [A-Za-z0-9_-]+: " + name;
      });
  app.add_option("-p,--pgconnstring", options.pgconnstring,
                 "libpq conninfo of the local repmgr database")
      ->capture_default_str();
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
  if (!raw.ssh_key.empty()) {
    result.options.ssh_key = raw.ssh_key;
  }
  if (!raw.known_hosts.empty()) {
    result.options.known_hosts = raw.known_hosts;
  }
  result.options.verbosity =
      raw.verbose ? Verbosity::verbose : (raw.quiet ? Verbosity::quiet : Verbosity::normal);
  return result;
}

}  // namespace pgdeploy
