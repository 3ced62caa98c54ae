#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <memory>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/build_token.hpp"
#include "cli/config_file.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// A file that can be created: its directory exists (checked before the run does anything).
std::string in_existing_directory(const std::string& file) {
  const std::filesystem::path path(file);
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ignored;
  if (path.filename().empty() || !std::filesystem::is_directory(dir, ignored)) {
    return "the directory of " + file + " does not exist";
  }
  return "";
}

// A check of a whole number from LOW to HIGH, naming what it counts (UNIT) when it fails.
CLI::Validator whole_number(int low, int high, const std::string& unit) {
  return {[=](const std::string& text) -> std::string {
            const auto value = parse_number<int>(text);
            if (value && *value >= low && *value <= high) {
              return "";
            }
            return "expected a whole number of " + unit + " from " + std::to_string(low) + " to " +
                   std::to_string(high) + ", got \"" + text + "\"";
          },
          ""};
}

// What an argument CLI11 did not expect is, said so that its user knows what to type instead.
std::string unexpected_arguments(const std::vector<std::string>& extras) {
  const std::string& first = extras.front();
  if (first.starts_with('-')) {
    return "unknown option " + first;
  }
  return "unknown subcommand " + first +
         ": the subcommands are status, doctor and agent; without one, pgdeploy deploys";
}

// Values CLI11 fills that the options hold in another form.
struct RawFlags {
  std::string config_file;
  std::string lock_dir;
  std::string metrics_file;
  std::string sync_userlist;
  std::string ro_suffix;
  std::string exclude_databases;
  std::string etcd;
  std::string etcd_cacert;
  std::string etcd_cert;
  std::string etcd_key;
  std::string etcd_user;
  std::string etcd_password_file;
  int wait_agents = 0;
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
  std::string watch;  // status --watch's SECONDS; empty: given without
  std::string agent_name;
  std::string agent_config_dir;
  std::string agent_admin_conninfo;
  std::string agent_reload_command;
  bool agent_once = false;
  int agent_reread = 0;
};

// The options repmgr fills in when it runs pgdeploy as its event_notification_command.
void add_event_options(CLI::App& app, EventOptions& event, RawFlags& raw) {
  const char* group = "repmgr event (event_notification_command)";
  app.add_option("--event", raw.event, "%e: only events that can move writes deploy")->group(group);
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
  app.add_option("--metrics-file", raw.metrics_file,
                 "write Prometheus metrics of every deploy, --check and --dry-run run to FILE, "
                 "atomically (for node_exporter's textfile collector: FILE ending in .prom)")
      ->check(in_existing_directory);
  app.add_option("--config", raw.config_file,
                 "configuration file (default: /etc/pgdeploy.ini when it exists)");
  app.add_option("--lock-wait", options.lock_wait_seconds,
                 "seconds to wait for another run of the same cluster")
      ->check(whole_number(0, 3600, "seconds"))
      ->capture_default_str();
  app.add_option("--lock-dir", raw.lock_dir,
                 "directory of the run lock (default: /run/pgdeploy); every run of a cluster on "
                 "this node must use the same one")
      ->envname("PGDEPLOY_LOCK_DIR")
      ->check([](const std::string& dir) {
        // Relative, it would depend on where each run starts.
        return dir.starts_with('/') ? std::string() : std::string("must be an absolute path");
      });
  const std::map<std::string, Sessions> sessions{{"keep", Sessions::keep},
                                                 {"reconnect", Sessions::reconnect},
                                                 {"kill", Sessions::kill},
                                                 {"auto", Sessions::automatic}};
  app.add_option("--sessions", options.sessions,
                 "client sessions of a re-pointed PgBouncer: auto, keep, reconnect or kill")
      // CLI11 runs the transformer first: the check sees a known name as its number.
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            const auto value = parse_number<int>(text);
            return value && *value >= 0 && *value <= static_cast<int>(Sessions::automatic)
                       ? ""
                       : "expected auto, keep, reconnect or kill, got \"" + text + "\"";
          },
          ""))
      ->transform(CLI::Transformer(sessions, CLI::ignore_case).description(""))
      ->type_name("MODE")
      ->default_str("auto");
  app.add_flag("--pause", options.pause, "wrap the switch in PAUSE/RESUME (admin console)");
  app.add_option("--sync-userlist", raw.sync_userlist,
                 std::string("write PgBouncer's userlist from pg_shadow (default path ") +
                     default_userlist_path + ")")
      ->expected(0, 1);
  app.add_flag("--sync-pgpass", options.sync_pgpass,
               "copy ~/.pgpass to app servers whose auth_trust is false");
  app.add_option("--ro-suffix", raw.ro_suffix, "also route NAME<SUFFIX> to a running standby");
  app.add_option("--exclude-databases", raw.exclude_databases,
                 "comma-separated databases not to route (default: none; every database but "
                 "the templates is routed)");
  app.add_flag("--syslog", options.syslog, "log to syslog instead of stderr");
}

// Where a deploy publishes the cluster's state for agents to pull.
void add_etcd_options(CLI::App& app, EtcdOptions& etcd, RawFlags& raw) {
  const char* group = "etcd (publishing for agents)";
  app.add_option("--etcd", raw.etcd,
                 "publish the cluster's state to etcd at these comma-separated URLs "
                 "(http:// or https://), tried in turn")
      ->group(group)
      ->check([](const std::string& urls) {
        for (const auto& url : comma_separated(urls)) {
          if (!url.starts_with("http://") && !url.starts_with("https://")) {
            return "not an http:// or https:// URL: " + url;
          }
        }
        return std::string();
      });
  app.add_option("--etcd-prefix", etcd.prefix, "keys are PREFIX/CLUSTER/...")
      ->group(group)
      ->capture_default_str()
      ->check([](const std::string& prefix) {
        return prefix.starts_with('/') ? std::string() : std::string("must start with /");
      });
  app.add_option("--etcd-cacert", raw.etcd_cacert, "CA certificate of etcd's servers")
      ->group(group);
  app.add_option("--etcd-cert", raw.etcd_cert, "client certificate for etcd")->group(group);
  app.add_option("--etcd-key", raw.etcd_key, "private key of --etcd-cert")->group(group);
  app.add_option("--etcd-user", raw.etcd_user, "etcd user (with --etcd-password-file)")
      ->group(group);
  app.add_option("--wait-agents", raw.wait_agents,
                 "after publishing, wait up to SECONDS until every agent row acknowledged the "
                 "new epoch (deploy with --etcd only)")
      ->group(group)
      ->type_name("SECONDS")
      ->check(whole_number(1, 86400, "seconds"));
  app.add_option("--etcd-password-file", raw.etcd_password_file,
                 "file whose first line is the password of --etcd-user")
      ->group(group);
}

// Copies the etcd options that were given; publishing as a user needs a password file and the
// other way round.
void apply_etcd(const CLI::App& app, const RawFlags& raw, EtcdOptions& etcd) {
  const auto given = [&](const char* name) { return app.count(name) > 0; };
  if (given("--etcd")) {
    etcd.endpoints = comma_separated(raw.etcd);
  }
  const auto path = [&](const char* name, const std::string& value) {
    return given(name) ? std::optional<std::filesystem::path>(value) : std::nullopt;
  };
  etcd.cacert = path("--etcd-cacert", raw.etcd_cacert);
  etcd.cert = path("--etcd-cert", raw.etcd_cert);
  etcd.key = path("--etcd-key", raw.etcd_key);
  etcd.password_file = path("--etcd-password-file", raw.etcd_password_file);
  if (given("--etcd-user")) {
    etcd.user = raw.etcd_user;
  }
  if (given("--wait-agents")) {
    etcd.wait_agents = raw.wait_agents;
  }
  if (!etcd.endpoints.empty() && etcd.user.has_value() != etcd.password_file.has_value()) {
    throw usage_error("--etcd-user and --etcd-password-file go together");
  }
}

// No subcommand deploys, so every command line from before the subcommands still works. The
// subcommands take every option of the main command (fallthrough), before or after their name.
// The options of the main command a read-only subcommand uses: its help lists them, since
// CLI11 shows a subcommand's own options only.
constexpr const char* read_only_options =
    "Options of pgdeploy that apply, before or after the subcommand:\n"
    "  -c CLUSTER, -f REPMGR_CONF, -p CONNINFO, --config FILE, -t SECONDS,\n"
    "  --host-timeout SECONDS, --run-timeout SECONDS, --ssh-key PATH,\n"
    "  --known-hosts PATH, -j N, --json, --ro-suffix SUFFIX,\n"
    "  --exclude-databases NAMES, -v, -q, --syslog,\n"
    "  --etcd URLS and its options (for the rows of agents)";

void add_agent_subcommand(CLI::App& app, RawFlags& raw) {
  CLI::App* agent = app.add_subcommand(
      "agent",
      "on an app server: install its fragment from the state published in etcd (--etcd), "
      "and follow every change until stopped");
  agent->fallthrough()->footer(
      "Options of pgdeploy that apply: -c CLUSTER, --config FILE, -t SECONDS, --host-timeout "
      "SECONDS, --sessions MODE, --pause, -v, -q, --syslog, and the --etcd options");
  agent->add_option("--name", raw.agent_name,
                    "this app server's node_name in app_servers (default: the host name)");
  agent
      ->add_option("--config-dir", raw.agent_config_dir,
                   "directory of the fragment (default: the row's config_dir)")
      ->check([](const std::string& dir) {
        return dir.starts_with('/') ? std::string() : std::string("must be an absolute path");
      });
  auto* admin = agent->add_option("--admin-conninfo", raw.agent_admin_conninfo,
                                  "libpq conninfo of the local PgBouncer's admin console: "
                                  "RELOAD, then verify with SHOW DATABASES");
  agent
      ->add_option("--reload-command", raw.agent_reload_command,
                   "reload PgBouncer with this command (/bin/sh -c) instead")
      ->excludes(admin);
  agent->add_flag("--once", raw.agent_once,
                  "apply the current state and exit, with a deploy's exit code");
  agent
      ->add_option("--reread", raw.agent_reread,
                   "read everything again every SECONDS without a change, to repair a local "
                   "file changed by hand (default 30)")
      ->type_name("SECONDS")
      ->check(whole_number(1, 86400, "seconds"));
}

void apply_agent(const CLI::App& app, const RawFlags& raw, AgentOptions& agent) {
  const CLI::App* sub = app.get_subcommand("agent");
  const auto given = [&](const char* name) { return sub->count(name) > 0; };
  if (given("--name")) {
    agent.name = raw.agent_name;
  }
  if (given("--config-dir")) {
    agent.config_dir = raw.agent_config_dir;
  }
  if (given("--admin-conninfo")) {
    agent.admin_conninfo = raw.agent_admin_conninfo;
  }
  if (given("--reload-command")) {
    agent.reload_command = raw.agent_reload_command;
  }
  agent.once = raw.agent_once;
  if (given("--reread")) {
    agent.reread_seconds = raw.agent_reread;
  }
}

void add_subcommands(CLI::App& app, RawFlags& raw) {
  CLI::App* status = app.add_subcommand("status",
                                        "show where every app server points, and whether that "
                                        "is the current primary; read-only");
  status->fallthrough()->footer(read_only_options);
  status
      ->add_option("--watch", raw.watch,
                   "show it again every SECONDS (default: " +
                       std::to_string(default_watch_seconds) + ") until interrupted")
      ->expected(0, 1)
      ->type_name("[SECONDS]")
      ->check(whole_number(1, 86400, "seconds"));
  app.add_subcommand("doctor",
                     "check every piece of the setup, naming the first broken one "
                     "per app server; read-only")
      ->fallthrough()
      ->footer(std::string(read_only_options) + ", -P (--public-net)");
  add_agent_subcommand(app, raw);
  app.require_subcommand(0, 1);
}

Command command_of(const CLI::App& app) {
  if (app.got_subcommand("status")) {
    return Command::status;
  }
  if (app.got_subcommand("agent")) {
    return Command::agent;
  }
  return app.got_subcommand("doctor") ? Command::doctor : Command::deploy;
}

// Copies what was given of RAW into OPTIONS; absent options stay unset.
void apply_raw(const CLI::App& app, const RawFlags& raw, Options& options) {
  const auto given = [&](const char* name) { return app.count(name) > 0; };
  if (given("--config")) {
    options.config_file = raw.config_file;
  }
  if (given("--lock-dir")) {
    options.lock_dir = raw.lock_dir;
  }
  if (given("--metrics-file")) {
    options.metrics_file = raw.metrics_file;
  }
  if (given("--sync-userlist")) {
    options.sync_userlist = raw.sync_userlist.empty() ? default_userlist_path : raw.sync_userlist;
  }
  if (given("--ro-suffix")) {
    options.ro_suffix = raw.ro_suffix;
  }
  if (given("--exclude-databases")) {
    options.exclude_databases = comma_separated(raw.exclude_databases);
  }
  options.mode = raw.dry_run ? Mode::dry_run : (raw.check ? Mode::check : Mode::deploy);
  options.command = command_of(app);
  if (app.get_subcommand("status")->count("--watch") > 0) {
    options.watch_seconds =
        raw.watch.empty() ? default_watch_seconds : parse_number<int>(raw.watch).value_or(0);
  }
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
  apply_etcd(app, raw, options.etcd);
  apply_agent(app, raw, options.agent);
}

void add_options(CLI::App& app, Options& options, RawFlags& raw) {
  // As in most Unix tools, an option given twice takes its last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("-c,--cluster", options.cluster,
                 "repmgr cluster name; names <config_dir>/NAME.ini (default: cluster in "
                 "[pgdeploy] of the configuration file)")
      ->check([](const std::string& name) {
        return is_valid_cluster_name(name) ? std::string()
                                           : "cluster name must match [A-Za-z0-9_-]+: " + name;
      });
  app.add_option("-p,--pgconnstring", raw.pgconnstring,
                 std::string("libpq conninfo of the local repmgr database (default: repmgr.conf's "
                             "conninfo, else ") +
                     default_pgconnstring + ")");
  app.add_option("-f,--repmgr-config", raw.repmgr_config,
                 "repmgr.conf: its conninfo is the default for --pgconnstring");
  app.add_option("-t,--timeout", options.timeout_seconds,
                 "seconds each single wait may take (SSH and admin console)")
      ->check(whole_number(1, 3600, "seconds"))
      ->capture_default_str();
  app.add_option("--host-timeout", options.host_timeout_seconds,
                 "seconds everything done for one app server may take (default: " +
                     std::to_string(host_timeout_factor) + " x -t)")
      ->check(whole_number(1, 86400, "seconds"));
  app.add_option("--run-timeout", options.run_timeout_seconds,
                 "seconds the whole run may take, database and lock wait included")
      ->check(whole_number(1, 86400, "seconds"))
      ->capture_default_str();
  app.add_flag("-P,--public-net", options.public_net,
               "take the primary's address from node_public_info");
  app.add_option("--ssh-key", raw.ssh_key,
                 "private key (default: ~/.ssh/id_ed25519, id_ecdsa or id_rsa)");
  app.add_option("--known-hosts", raw.known_hosts,
                 "known_hosts file (default: ~/.ssh/known_hosts); host keys are always checked");
  app.add_option("-j,--jobs", options.jobs, "app servers in flight at once")
      ->check(whole_number(1, 1024, "app servers"))
      ->capture_default_str();
  add_event_options(app, options.event, raw);
  add_operator_options(app, options, raw);
  add_etcd_options(app, options.etcd, raw);
  app.add_flag("--force", options.force,
               "replace fragments even when they carry a newer timeline than the primary's "
               "(after rebuilding a cluster from scratch)");
  app.add_flag("-v,--verbose", raw.verbose, "log every remote operation");
  app.add_flag("-q,--quiet", raw.quiet, "log only warnings and errors");
  app.set_version_flag("--version", std::string("pgdeploy ") + build_token);
  add_subcommands(app, raw);
}

// TEXT's words in lines of at most WIDTH bytes joined by '\n'; a longer word stands alone.
std::string wrap_words(std::string_view text, std::size_t width) {
  std::string wrapped;
  std::size_t line_length = 0;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find(' '), text.size());
    const std::string_view word = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (word.empty()) {
      continue;
    }
    if (line_length > 0) {
      const bool fits = line_length + 1 + word.size() <= width;
      wrapped += fits ? ' ' : '\n';
      line_length = fits ? line_length + 1 : 0;
    }
    wrapped += word;
    line_length += word.size();
  }
  return wrapped;
}

// The help's layout: the column where descriptions start, and the width they wrap within.
constexpr std::size_t help_column = 30;
constexpr std::size_t help_width = 80;

// pgdeploy's help: every description wrapped to fit beside the option column within 80
// columns, and the option column holding only the option and its value. CLI11 would add there
// the environment variable and the options excluded, pushing the description out of line;
// they go to the description instead.
class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter() { column_width(help_column); }

  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string opts = CLI::Formatter::make_option_opts(opt);
    return opts.substr(
        0, std::min(opts.find(" (" + get_label("Env")), opts.find(" " + get_label("Excludes"))));
  }

  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string desc = opt->get_description();
    if (!opt->get_envname().empty()) {
      desc += " (environment: " + opt->get_envname() + ")";
    }
    for (const CLI::Option* excluded : opt->get_excludes()) {
      desc += "; not with " + excluded->get_name();
    }
    return wrap_words(desc, help_width - help_column);
  }

  // pgdeploy requires no option group, so the description is all there is to say.
  std::string make_description(const CLI::App* app) const override {
    const std::string& desc = app->get_description();
    return desc.empty() ? "" : wrap_words(desc, help_width) + "\n";
  }

  std::string make_subcommand(const CLI::App* sub) const override {
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_display_name(true),
                             wrap_words(sub->get_description(), help_width - help_column),
                             help_column);
    return out.str();
  }
};

// A CLI::App with every option, bound to its own Options and RawFlags.
struct Parser {
  Options options;
  RawFlags raw;
  CLI::App app{"Points PgBouncer on every application server at the active repmgr primary.",
               "pgdeploy"};
  Parser() {
    // Before the subcommands are added: they take the formatter of their parent.
    app.formatter(std::make_shared<HelpFormatter>());
    add_options(app, options, raw);
  }
};

// Parses ARGS (the program name first) into PARSER. Returns what CLI11 printed when it ended
// the run (help or the version); throws a usage error for a bad command line.
EarlyEnd parse_into(Parser& parser, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  try {
    parser.app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForVersion& e) {
    parser.app.exit(e);
    return EarlyEnd::version;
  } catch (const CLI::ExtrasError& e) {
    throw usage_error(unexpected_arguments(parser.app.remaining()) +
                      " (pgdeploy --help lists the options)");
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      throw usage_error(std::string(e.what()) + " (pgdeploy --help lists the options)");
    }
    parser.app.exit(e);
    return EarlyEnd::help;
  }
  return EarlyEnd::none;
}

// Long options the configuration file may not set: they pick the file or end the run at once.
// (cluster in [pgdeploy] is read before, as the default of -c: see default_cluster.)
constexpr std::array<std::string_view, 4> command_line_only{"help", "version", "config", "cluster"};

// Options for one run by hand: in the file they would hold for every run, unseen.
constexpr std::array<std::string_view, 1> one_run_only{"force"};

// Flags that exclude each other; of two set in turn, the later one wins.
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> rival_flags{
    {{"verbose", "quiet"}, {"dry-run", "check"}}};

std::optional<std::string> rival_of(std::string_view flag) {
  for (const auto& [first, second] : rival_flags) {
    if (flag == first) {
      return std::string(second);
    }
    if (flag == second) {
      return std::string(first);
    }
  }
  return std::nullopt;
}

// The option of APP that KEY names, or null when the configuration file may not set KEY.
const CLI::Option* settable_option(const CLI::App& app, const std::string& key) {
  if (key.empty() || key.starts_with('-') ||
      std::ranges::find(command_line_only, key) != command_line_only.end()) {
    return nullptr;
  }
  const CLI::Option* option = app.get_option_no_throw("--" + key);
  if (option == nullptr ||
      std::ranges::find(option->get_lnames(), key) == option->get_lnames().end()) {
    return nullptr;
  }
  return option;
}

// A flag's value in the file: true/yes/on/1 or false/no/off/0, in any case.
std::optional<bool> flag_value(std::string value) {
  std::ranges::transform(value, value.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (value == "true" || value == "yes" || value == "on" || value == "1") {
    return true;
  }
  if (value == "false" || value == "no" || value == "off" || value == "0") {
    return false;
  }
  return std::nullopt;
}

// Throws a usage error starting with WHERE unless CLI11 accepts "--KEY=VALUE" on its own, so that
// a bad value is reported with the file's line rather than as a command-line argument.
void check_option_value(const ConfigEntry& entry, const std::string& where) {
  Parser alone;
  const std::string argument = "--" + entry.key + "=" + entry.value;
  const std::array<const char*, 4> argv{"pgdeploy", "-c", "x", argument.c_str()};
  try {
    alone.app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    throw usage_error(where + "invalid value for " + entry.key + ": " + e.what());
  }
}

// The arguments that stand for ENTRIES, read from FILE, to go before the command line's: the
// last setting of each key, where a flag set true drops an earlier setting of its rival, and
// nothing the command line (parsed into COMMAND_LINE) sets itself. Throws a usage error naming
// FILE:LINE and the key for an unknown key or an invalid value.
struct Setting {
  std::string value;
  std::optional<bool> flag;  // set for flags
};

// ENTRY checked against the options of COMMAND_LINE; throws a usage error starting with WHERE.
Setting setting_of(const CLI::App& command_line, const ConfigEntry& entry,
                   const std::string& where) {
  if (std::ranges::find(one_run_only, entry.key) != one_run_only.end()) {
    throw usage_error(where + entry.key +
                      " may not be set in a configuration file: it would "
                      "hold for every run; give --" +
                      entry.key + " on the command line of the one run that needs it");
  }
  const CLI::Option* option = settable_option(command_line, entry.key);
  if (option == nullptr) {
    throw usage_error(where + "unknown key " + entry.key);
  }
  Setting setting{entry.value, std::nullopt};
  if (option->get_expected_max() == 0) {
    setting.flag = flag_value(entry.value);
    if (!setting.flag) {
      throw usage_error(where + "invalid value for " + entry.key +
                        ": expected true or false, got \"" + entry.value + "\"");
    }
  } else {
    check_option_value(entry, where);
  }
  return setting;
}

std::vector<std::string> config_arguments(const CLI::App& command_line,
                                          const std::vector<ConfigEntry>& entries,
                                          const std::filesystem::path& file) {
  std::map<std::string, Setting> settings;
  for (const ConfigEntry& entry : entries) {
    if (entry.key == default_cluster_key) {
      continue;  // the default of -c, read before (default_cluster)
    }
    Setting setting =
        setting_of(command_line, entry, file.string() + ":" + std::to_string(entry.line) + ": ");
    if (setting.flag.value_or(false)) {
      if (const auto rival = rival_of(entry.key)) {
        settings.erase(*rival);
      }
    }
    settings[entry.key] = std::move(setting);
  }
  const auto on_command_line = [&command_line](const std::string& key) {
    return command_line.count("--" + key) > 0;
  };
  std::vector<std::string> arguments;
  for (const auto& [key, setting] : settings) {
    const auto rival = rival_of(key);
    if (on_command_line(key) || (rival && on_command_line(*rival))) {
      continue;
    }
    if (!setting.flag) {
      arguments.push_back("--" + key + "=" + setting.value);
    } else if (*setting.flag) {
      arguments.push_back("--" + key);  // a flag set false adds nothing: false is its default
    }
  }
  return arguments;
}

// The configuration file to read: --config as COMMAND_LINE gives it, else DEFAULT_CONFIG when it
// exists.
std::optional<std::filesystem::path> config_file_to_read(
    const Parser& command_line, const std::filesystem::path& default_config) {
  if (command_line.app.count("--config") > 0) {
    return command_line.raw.config_file;
  }
  std::error_code ignored;
  if (std::filesystem::exists(default_config, ignored)) {
    return default_config;
  }
  return std::nullopt;
}

// The cluster of a run without -c: cluster in [pgdeploy] of FILE. Throws a usage error saying
// how to name one when there is none.
std::string default_cluster(const std::optional<std::filesystem::path>& file,
                            const std::filesystem::path& default_config) {
  if (file) {
    if (auto cluster = read_default_cluster(*file)) {
      return std::move(*cluster);
    }
  }
  throw usage_error("no cluster given: pass -c CLUSTER, or set " +
                    std::string(default_cluster_key) + " = CLUSTER in the [pgdeploy] section of " +
                    file.value_or(default_config).string());
}

// Options of a deploy that mean nothing to status and doctor, which only read.
std::optional<std::string> subcommand_conflict(const Options& options) {
  if (options.command == Command::deploy) {
    return std::nullopt;
  }
  if (options.command == Command::agent) {
    if (options.etcd.endpoints.empty()) {
      return std::string("agent needs --etcd URL[,URL...]: where the state is published");
    }
    if (options.mode != Mode::deploy || options.event.event) {
      return std::string("agent does not take --dry-run, --check or --event");
    }
    return std::nullopt;
  }
  const char* name = options.command == Command::status ? "status" : "doctor";
  if (options.mode != Mode::deploy) {
    return std::string(name) + " is read-only already: --dry-run and --check are for deploys";
  }
  if (options.event.event) {
    return std::string(name) + " does not take --event: repmgr's hook runs a deploy";
  }
  return std::nullopt;
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const* argv,
                               const std::filesystem::path& default_config) {
  CommandLine result;
  std::vector<std::string> arguments(argv, argv + argc);
  if (arguments.empty()) {
    arguments.emplace_back("pgdeploy");
  }
  // The command line alone first: help, the version and its usage errors end the run before any
  // file is read, and CLI11 finds the cluster and --config in every spelling.
  Parser given;
  result.early_end = parse_into(given, arguments);
  if (result.early_end != EarlyEnd::none) {
    return result;
  }
  const auto file = config_file_to_read(given, default_config);
  if (given.options.cluster.empty()) {
    given.options.cluster = default_cluster(file, default_config);
    arguments.insert(arguments.begin() + 1, "--cluster=" + given.options.cluster);
  }
  if (file) {
    const std::vector<std::string> settings =
        config_arguments(given.app, read_config_file(*file, given.options.cluster), *file);
    // Every option takes its last value: the command line, after the file, wins.
    arguments.insert(arguments.begin() + 1, settings.begin(), settings.end());
  }
  Parser merged;
  result.early_end = parse_into(merged, arguments);
  if (result.early_end != EarlyEnd::none) {
    return result;
  }
  if (merged.raw.verbose && merged.raw.quiet) {
    throw usage_error("--verbose and --quiet exclude each other");
  }
  apply_raw(merged.app, merged.raw, merged.options);
  if (const auto problem = subcommand_conflict(merged.options)) {
    throw usage_error(*problem);
  }
  result.options = std::move(merged.options);
  return result;
}

}  // namespace pgdeploy
