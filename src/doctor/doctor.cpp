#include "doctor/doctor.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "cli/build_token.hpp"
#include "cli/core_program.hpp"
#include "deploy/fleet.hpp"
#include "doctor/doctor_host.hpp"
#include "doctor/doctor_metadata.hpp"
#include "doctor/hook_check.hpp"
#include "metadata/read_cluster.hpp"
#include "pgbouncer/pgbouncer_console.hpp"
#include "plan/planner.hpp"
#include "ssh/ssh_connector.hpp"

namespace pgdeploy {
namespace {

void append(std::vector<CheckItem>& all, std::vector<CheckItem>&& more) {
  all.insert(all.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

// This core program and the build-token file beside it, of one build with the front end that
// ran it (the front end and check_front_end_build() refuse a run otherwise).
void check_programs(std::vector<CheckItem>& items) {
  Checklist list("pgdeploy");
  const char* item = "front end and core program from one build";
  try {
    const std::filesystem::path core = running_program("");
    if (const auto problem = core_program_problem(core, build_token)) {
      list.fail(item, *problem, "install the package again, or copy both programs from one build");
    } else {
      list.pass(item, core.string() + " " + build_token +
                          (std::getenv(build_token_variable) != nullptr
                               ? ", run by pgdeploy of the same build"
                               : ", run directly"));
    }
  } catch (const Error& e) {
    list.fail(item, e.what(), "mount /proc");
  }
  append(items, std::move(list.items()));
}

// repmgr.conf read, and its hook settings checked; nullopt when it cannot be read.
std::optional<RepmgrConfig> check_repmgr_config(const Options& options,
                                                std::vector<CheckItem>& items) {
  Checklist list("repmgr.conf");
  std::optional<RepmgrConfig> config;
  const std::string fix_line = "event_notification_command='pgdeploy -c " + options.cluster +
                               " -f " + options.repmgr_config->string() +
                               " --event=%e --node-id=%n --success=%s'";
  try {
    config = read_repmgr_config(*options.repmgr_config);
    list.pass("readable", options.repmgr_config->string());
    if (const auto problem =
            hook_command_problem(config->event_notification_command, options.cluster)) {
      list.fail("event_notification_command runs pgdeploy", *problem, "set " + fix_line);
    } else {
      list.pass("event_notification_command runs pgdeploy");
    }
    if (const auto problem = event_notifications_problem(config->event_notifications)) {
      list.fail("event_notifications include failovers", *problem,
                "add them to event_notifications, or remove the setting to be told of every "
                "event");
    } else {
      list.pass("event_notifications include failovers",
                config->event_notifications ? "" : "not set: every event is sent");
    }
  } catch (const Error& e) {
    list.fail("readable", e.what(), "pass the repmgr.conf that repmgr itself uses with -f");
  }
  append(items, std::move(list.items()));
  return config;
}

// How the hosts are reached over SSH.
struct SshSetup {
  std::unique_ptr<SshConnector> connector;  // null when the key or known_hosts cannot be loaded
  std::string known_hosts;                  // named in fixes
};

SshSetup check_ssh_setup(const Options& options, std::vector<CheckItem>& items) {
  Checklist list("ssh");
  SshSetup ssh;
  try {
    const auto ssh_dir = user_ssh_dir();
    const auto key = resolve_ssh_key(options, ssh_dir);
    ssh.known_hosts = resolve_known_hosts(options, ssh_dir).string();
    ssh.connector = std::make_unique<SshConnector>(key, ssh.known_hosts);
    list.pass("key and known_hosts load", key.string() + ", " + ssh.known_hosts);
  } catch (const Error& e) {
    list.fail("key and known_hosts load", e.what(),
              "create a key without a passphrase (ssh-keygen -t ed25519 -N ''), or pass "
              "--ssh-key and --known-hosts");
  }
  append(items, std::move(list.items()));
  return ssh;
}

void check_hosts(const Options& options, const std::vector<AppServer>& servers, const SshSetup& ssh,
                 std::vector<CheckItem>& items) {
  std::vector<AppServer> enabled;
  for (const AppServer& server : servers) {
    if (server.enabled) {
      enabled.push_back(server);
    } else {
      Checklist list(server.name + " (" + server.address + ")");
      list.skip("enabled", "disabled in app_servers: not checked");
      append(items, std::move(list.items()));
    }
  }
  PgBouncerConnector admin;
  HostDoctor doctor(options.cluster, ssh.connector.get(), ssh.known_hosts, admin,
                    limits_for(options));
  auto per_host = visit_in_parallel<std::vector<CheckItem>>(
      enabled, options.jobs, [&](const AppServer& host) { return doctor.check(host); });
  for (auto& host_items : per_host) {
    append(items, std::move(host_items));
  }
}

}  // namespace

ExitCode run_doctor(const Options& options, std::ostream& out) {
  std::vector<CheckItem> items;
  check_programs(items);
  std::optional<RepmgrConfig> config;
  if (options.repmgr_config) {
    config = check_repmgr_config(options, items);
  }
  MetadataFindings metadata = check_metadata(options, local_conninfo(options, config));
  append(items, std::move(metadata.items));
  const SshSetup ssh = check_ssh_setup(options, items);
  check_hosts(options, metadata.app_servers, ssh, items);
  out << (options.json ? checklist_json(options.cluster, items)
                       : render_checklist(options.cluster, items));
  out.flush();
  return all_passed(items) ? ExitCode::ok : ExitCode::host_failed;
}

}  // namespace pgdeploy
