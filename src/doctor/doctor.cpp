#include "doctor/doctor.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "deploy/fleet.hpp"
#include "doctor/doctor_agents.hpp"
#include "doctor/doctor_host.hpp"
#include "doctor/doctor_metadata.hpp"
#include "doctor/hook_check.hpp"
#include "metadata/read_cluster.hpp"
#include "model/app_server.hpp"
#include "util/deadline.hpp"
#include "util/progress.hpp"

namespace pgdeploy {
namespace {

void append(std::vector<CheckItem>& all, std::vector<CheckItem>&& more) {
  all.insert(all.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
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
    if (const auto problem = promote_delay_problem(*config)) {
      list.warn("the hook runs as soon as a standby is promoted", *problem,
                promote_command_fix(*config));
    } else {
      list.pass("the hook runs as soon as a standby is promoted");
    }
  } catch (const Error& e) {
    list.fail("readable", e.what(), "pass the repmgr.conf that repmgr itself uses with -f");
  }
  append(items, std::move(list.items()));
  return config;
}

// How the hosts are reached over SSH.
struct SshSetup {
  HostConnector* connector = nullptr;  // null when the key or known_hosts cannot be loaded
  std::string known_hosts;             // named in fixes
};

SshSetup check_ssh_setup(const Options& options, const HostConnectorLoader& load_ssh,
                         std::vector<CheckItem>& items) {
  Checklist list("ssh");
  SshSetup ssh;
  try {
    const SshFiles files = ssh_files(options);
    ssh.known_hosts = files.known_hosts.string();
    ssh.connector = &load_ssh(files.key, files.known_hosts);
    list.pass("key and known_hosts load", files.key.string() + ", " + ssh.known_hosts);
  } catch (const Error& e) {
    list.fail("key and known_hosts load", e.what(),
              "create a key without a passphrase (ssh-keygen -t ed25519 -N ''), or pass "
              "--ssh-key and --known-hosts");
  }
  append(items, std::move(list.items()));
  return ssh;
}

void check_hosts(const Options& options, const std::vector<AppServer>& servers, const SshSetup& ssh,
                 AdminConnector& admin, std::vector<CheckItem>& items) {
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
  HostDoctor doctor(options.cluster, ssh.connector, ssh.known_hosts, admin, limits_for(options));
  Progress progress("app servers checked", enabled.size(), STDERR_FILENO);
  auto per_host =
      visit_in_parallel<std::vector<CheckItem>>(enabled, options.jobs, [&](const AppServer& host) {
        std::vector<CheckItem> checked = doctor.check(host);
        progress.step();
        return checked;
      });
  for (auto& host_items : per_host) {
    append(items, std::move(host_items));
  }
}

}  // namespace

ExitCode run_doctor(const Options& options, std::vector<CheckItem> items,
                    const DatabaseOpener& open, const HostConnectorLoader& load_ssh,
                    AdminConnector& admin, std::ostream& out, etcd::EtcdClient* etcd) {
  std::optional<RepmgrConfig> config;
  if (options.repmgr_config) {
    config = check_repmgr_config(options, items);
  }
  // The metadata checks read no secret (pg_shadow) and doctor plans nothing: it needs none.
  MetadataFindings metadata = check_metadata(options, local_conninfo(options, config), open);
  append(items, std::move(metadata.items));
  std::vector<AppServer> ssh_rows;
  std::vector<AppServer> agents;
  for (const AppServer& server : metadata.app_servers) {
    (server.delivery == Delivery::agent && server.enabled ? agents : ssh_rows).push_back(server);
  }
  // A fleet of agents only needs no SSH key: none is loaded.
  const bool pushes = agents.empty() || std::ranges::any_of(ssh_rows, [](const AppServer& row) {
                        return row.enabled;
                      });
  const SshSetup ssh = pushes ? check_ssh_setup(options, load_ssh, items) : SshSetup{};
  check_hosts(options, ssh_rows, ssh, admin, items);
  check_agents(options, etcd, agents, items);
  out << (options.json ? checklist_json(options.cluster, items)
                       : render_checklist(options.cluster, items));
  out.flush();
  return all_passed(items) ? ExitCode::ok : ExitCode::host_failed;
}

}  // namespace pgdeploy
