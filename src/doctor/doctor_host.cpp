#include "doctor/doctor_host.hpp"

#include <algorithm>
#include <array>

#include "deploy/host_steps.hpp"
#include "doctor/network_probe.hpp"
#include "model/app_server.hpp"
#include "pgbouncer/pgbouncer_include.hpp"
#include "pgbouncer/pgbouncer_settings.hpp"
#include "pgbouncer/pgbouncer_switch.hpp"
#include "pgbouncer/ssh_console.hpp"
#include "pgdeploy/config_dir_sh.hpp"
#include "pgdeploy/reload_check_sh.hpp"
#include "plan/fragment.hpp"
#include "plan/fragment_file.hpp"
#include "plan/fragment_format.hpp"
#include "ssh/remote_install.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {
namespace {

constexpr const char* row_item = "app_servers row usable";
constexpr const char* application_name_item = "application_name kept whole by PostgreSQL";
constexpr const char* resolve_item = "address resolves";
constexpr const char* port_item = "SSH port open";
constexpr const char* host_key_item = "host key known and matching";
constexpr const char* auth_item = "SSH authentication";
constexpr const char* config_dir_item = "config_dir writable";
constexpr const char* include_item = "PgBouncer includes the fragment";
constexpr const char* reload_item = "reload works without a prompt";
constexpr const char* live_item = "PgBouncer serves the fragment";
constexpr const char* sessions_item = "sessions move at once after a failover";
constexpr const char* settings_item = "PgBouncer settings for a fast failover";

// The steps that only SSH answers, from FIRST on, skipped because of WHY. (The reload and live
// checks come later: they may go through the admin console instead.)
void skip_ssh_steps_from(const char* first, const std::string& why, Checklist& list) {
  constexpr std::array<const char*, 4> steps{host_key_item, auth_item, config_dir_item,
                                             include_item};
  const auto* from = std::find(steps.begin(), steps.end(), std::string_view(first));
  for (const auto* step = from; step != steps.end(); ++step) {
    list.skip(*step, why);
  }
}

std::string where(const AppServer& host) {
  return host.address + " port " + std::to_string(host.ssh_port);
}

// A shell command for sudo that the doctor may not run as it is: it may chain other commands.
bool is_compound(const std::string& command) {
  return command.find_first_of(";&|<>`\n") != std::string::npos ||
         command.find("$(") != std::string::npos;
}

// Checks that a reload command will not stop at a password prompt, without running it: sudo's
// own -l answers whether the command is allowed with -n (no prompt). That one is a command, not a
// script: the configured words after "sudo", which the remote shell parses as it would the
// reload command itself.
std::string reload_check_script(const std::string& command) {
  if (command.starts_with("sudo ")) {
    return "exec sudo -n -l " + command.substr(5);
  }
  const std::string program = command.substr(0, command.find(' '));
  return "reload_command=" + shell_quote(command) + " program=" + shell_quote(program) + "\n" +
         std::string(reload_check_sh);
}

std::string config_dir_script(const std::string& dir) {
  return "d=" + shell_quote(dir) + "\n" + std::string(config_dir_sh);
}

// Only for rows that set one: most leave it empty.
void check_application_name(const AppServer& host, Checklist& list) {
  if (host.application_name.empty()) {
    return;
  }
  if (const auto cut = application_name_cut(host.application_name)) {
    list.fail(application_name_item, *cut,
              "shorten app_servers.application_name of " + host.name + " to at most " +
                  std::to_string(max_application_name_bytes) + " bytes");
  } else {
    list.pass(application_name_item, std::to_string(host.application_name.size()) + " bytes");
  }
}

}  // namespace

HostDoctor::HostDoctor(std::string cluster, HostConnector* ssh, std::string known_hosts,
                       AdminConnector& admin, TimeLimits limits)
    : cluster_(std::move(cluster)),
      ssh_(ssh),
      known_hosts_(std::move(known_hosts)),
      admin_(admin),
      limits_(std::move(limits)) {}

std::string HostDoctor::fragment_path(const AppServer& host) const {
  return pgdeploy::fragment_path(host.config_dir, cluster_);
}

std::vector<CheckItem> HostDoctor::check(const AppServer& host) {
  Checklist list(host.name + " (" + host.address + ")");
  try {
    HostDeadline deadline(limits_);
    check_steps(host, list, deadline);
  } catch (const std::exception& e) {
    // Every step reports its own failures; this is for what none of them expected.
    list.fail("checked to the end", std::string("internal: ") + e.what(),
              "run again with -v and report the output");
  }
  return std::move(list.items());
}

void HostDoctor::check_steps(const AppServer& host, Checklist& list, HostDeadline& deadline) {
  try {
    check_row(host);
    list.pass(row_item);
  } catch (const HostError& e) {
    list.fail(row_item, e.what(), "correct this row of app_servers");
    return;
  }
  check_application_name(host, list);
  std::unique_ptr<RemoteHost> remote = check_login(host, list, deadline);
  if (remote) {
    check_config_dir(*remote, host, list);
    if (const auto ini = check_include(*remote, host, list)) {
      check_failover_settings(*ini, host, list);
    }
  }
  std::unique_ptr<AdminConsole> console;
  std::string console_problem;
  if (host.admin_conninfo) {
    try {
      console = admin_.connect(*host.admin_conninfo, deadline);
    } catch (const HostError& e) {
      console_problem = e.what();
    }
  }
  if (host.admin_conninfo && !console) {
    list.fail(reload_item, "admin console: " + console_problem,
              "start PgBouncer, or fix admin_conninfo in app_servers");
    list.skip(live_item, "needs the admin console");
  } else {
    check_reload(remote.get(), host, console.get(), list);
    check_live(remote.get(), host, console.get(), list);
    check_sessions_move(remote.get(), host, console != nullptr, list);
  }
}

void HostDoctor::check_failover_settings(const std::string& ini, const AppServer& host,
                                         Checklist& list) {
  const std::vector<SettingAdvice> advice = failover_setting_advice(ini);
  if (advice.empty()) {
    list.pass(settings_item);
    return;
  }
  std::string found;
  std::string fix;
  for (const SettingAdvice& setting : advice) {
    found +=
        (found.empty() ? "" : "; ") + setting.name + " = " + setting.value + ": " + setting.why;
    fix += (fix.empty() ? "" : ", ") + setting.name + " = " + setting.recommended;
  }
  list.warn(settings_item, found,
            "set " + fix + " in the [pgbouncer] section of " + host.pgbouncer_ini +
                ", then reload PgBouncer");
}

void HostDoctor::check_sessions_move(RemoteHost* remote, const AppServer& host, bool console,
                                     Checklist& list) {
  if (console) {
    list.pass(sessions_item, "through admin_conninfo");
    return;
  }
  if (remote == nullptr) {
    list.skip(sessions_item, "needs SSH");
    return;
  }
  const std::string fix =
      "set admin_conninfo, or install psql on " + host.name + " and add " + host.username +
      " to admin_users in " + host.pgbouncer_ini +
      ": otherwise clients that tried the old primary wait up to server_login_retry";
  try {
    SshConsole ssh_console(*remote, host.pgbouncer_ini);
    if (ssh_console.has_admin_rights()) {
      list.pass(sessions_item, "PgBouncer's console over SSH: psql on the host, admin rights");
    } else {
      list.warn(sessions_item,
                "PgBouncer's console over SSH: " + host.username + " may not run admin commands",
                fix);
    }
  } catch (const HostError& e) {
    list.warn(sessions_item, e.what(), fix);
  }
}

std::unique_ptr<RemoteHost> HostDoctor::check_login(const AppServer& host, Checklist& list,
                                                    HostDeadline& deadline) {
  const Resolution resolved = resolve(host.address, host.ssh_port);
  if (const auto& problem = resolved.problem) {
    list.fail(resolve_item, *problem,
              "fix ip_addr in app_servers, or the name in DNS or /etc/hosts");
    list.skip(port_item, "the address does not resolve");
    skip_ssh_steps_from(host_key_item, "the address does not resolve", list);
    return nullptr;
  }
  list.pass(resolve_item);
  deadline.begin("connect");
  if (const auto problem = connect_problem(resolved, where(host), deadline.wait_ms())) {
    list.fail(port_item, *problem,
              "start sshd on " + host.name + ", open the firewall, or fix ssh_port in app_servers");
    skip_ssh_steps_from(host_key_item, "nothing answers at " + where(host), list);
    return nullptr;
  }
  list.pass(port_item, where(host));
  if (ssh_ == nullptr) {
    skip_ssh_steps_from(host_key_item, "the SSH key or known_hosts could not be loaded", list);
    return nullptr;
  }
  try {
    std::unique_ptr<RemoteHost> remote = ssh_->connect(host, deadline);
    list.pass(host_key_item);
    list.pass(auth_item, "as " + host.username);
    return remote;
  } catch (const DescriptorsExhausted& e) {
    list.fail(host_key_item, e.what(),
              "raise the open files limit (ulimit -n, LimitNOFILE=) or lower -j");
    skip_ssh_steps_from(auth_item, "no file descriptor left", list);
  } catch (const HostError& e) {
    if (e.step() == "auth") {
      list.pass(host_key_item);
      list.fail(auth_item, e.what(),
                "add the public key of pgdeploy's SSH key to ~" + host.username +
                    "/.ssh/authorized_keys on " + host.name);
      skip_ssh_steps_from(config_dir_item, "SSH authentication failed", list);
    } else if (dynamic_cast<const KnownHostsCorrupt*>(&e) != nullptr) {
      list.fail(host_key_item, e.what(), "repair or delete that line of " + known_hosts_);
      skip_ssh_steps_from(auth_item, "the host key is not accepted", list);
    } else {
      list.fail(host_key_item, e.what(),
                "compare the key that `ssh-keyscan -p " + std::to_string(host.ssh_port) + " " +
                    host.address + "` shows with the server's own, then put it in " + known_hosts_);
      skip_ssh_steps_from(auth_item, "the host key is not accepted", list);
    }
  }
  return nullptr;
}

void HostDoctor::check_config_dir(RemoteHost& remote, const AppServer& host, Checklist& list) {
  try {
    const CommandResult result = run_remote(remote, config_dir_script(host.config_dir));
    if (result.exit_status == 0) {
      list.pass(config_dir_item, host.config_dir);
      return;
    }
    list.fail(config_dir_item, one_line(result.errors),
              result.exit_status == 1
                  ? "create it: sudo install -d -o " + host.username + " -m 0755 " + host.config_dir
                  : "let " + host.username + " write there: sudo chown " + host.username + " " +
                        host.config_dir);
  } catch (const HostError& e) {
    list.fail(config_dir_item, e.what(), "check the SSH connection to " + host.name);
  }
}

std::optional<std::string> HostDoctor::check_include(RemoteHost& remote, const AppServer& host,
                                                     Checklist& list) {
  const std::string path = fragment_path(host);
  try {
    const CommandResult result = run_remote(remote, read_file_script(host.pgbouncer_ini));
    if (result.exit_status != 0) {
      list.fail(include_item, one_line(result.errors),
                "let " + host.username +
                    " read it (e.g. through PgBouncer's group), or set "
                    "app_servers.pgbouncer_ini to PgBouncer's configuration file");
      return std::nullopt;
    }
    check_include_place(result.output, host, list);
    return result.output;
  } catch (const HostError& e) {
    list.fail(include_item, e.what(), "check the SSH connection to " + host.name);
    return std::nullopt;
  }
}

void HostDoctor::check_include_place(const std::string& ini, const AppServer& host,
                                     Checklist& list) {
  const std::string path = fragment_path(host);
  switch (find_include(ini, path)) {
    case IncludePlace::in_databases:
      list.pass(include_item, host.pgbouncer_ini + " includes " + path + " in [databases]");
      return;
    case IncludePlace::other_section:
      list.fail(include_item, host.pgbouncer_ini + " includes " + path + " outside [databases]",
                "move the line `%include " + path + "` under [databases], then reload PgBouncer");
      return;
    case IncludePlace::absent:
      list.fail(include_item, host.pgbouncer_ini + " has no `%include " + path + "`",
                "add `%include " + path + "` under [databases] in " + host.pgbouncer_ini +
                    ", then reload PgBouncer");
  }
}

void HostDoctor::check_reload(RemoteHost* remote, const AppServer& host, AdminConsole* console,
                              Checklist& list) {
  try {
    if (console != nullptr) {
      const std::string version = console->version();
      if (console->has_admin_rights()) {
        list.pass(reload_item, "admin console: " + version + ", admin rights");
      } else {
        list.fail(
            reload_item, "the admin_conninfo user may only SHOW (stats_users), not RELOAD",
            "add that user to admin_users in " + host.pgbouncer_ini + ", then reload PgBouncer");
      }
      return;
    }
    const std::string command = reload_command_for(host.reload_command, host.username);
    if (remote == nullptr) {
      list.skip(reload_item, "needs SSH");
    } else if (command.starts_with("sudo ") && is_compound(command)) {
      list.skip(reload_item, "not run: `" + command + "` chains other commands");
    } else if (const CommandResult r = run_remote(*remote, reload_check_script(command));
               r.exit_status == 0) {
      list.pass(reload_item,
                "`" + command + "`" +
                    (command.starts_with("sudo ") ? " allowed by sudo without a password"
                                                  : " needs no sudo"));
    } else {
      const std::string why = one_line(r.errors + r.output);
      list.fail(reload_item, "`" + command + "`: " + (why.empty() ? "not allowed" : why),
                command.starts_with("sudo ")
                    ? "allow it without a password in sudoers (see the sudoers example), or set "
                      "admin_conninfo to reload through PgBouncer's admin console"
                    : "fix reload_command in app_servers");
    }
  } catch (const HostError& e) {
    list.fail(reload_item, e.what(), "check the connection to " + host.name);
  }
}

void HostDoctor::check_live(RemoteHost* remote, const AppServer& host, AdminConsole* console,
                            Checklist& list) {
  if (console == nullptr) {
    list.skip(live_item, "no admin_conninfo: PgBouncer's live databases cannot be read");
    return;
  }
  if (remote == nullptr) {
    list.skip(live_item, "needs SSH to read the fragment");
    return;
  }
  const std::string path = fragment_path(host);
  try {
    const auto fragment =
        read_remote_fragment(*remote, host.config_dir, fragment_file_name(cluster_));
    if (!fragment) {
      list.fail(live_item, "no fragment at " + path + " yet", "run pgdeploy -c " + cluster_);
      return;
    }
    const std::vector<Route> routes = parse_fragment_file(fragment->text).routes;
    if (const auto problem = routing_problem(console->show_databases(), routes)) {
      list.fail(live_item, *problem + " as " + path + " says",
                "PgBouncer has not loaded " + path +
                    ": check the %include and its log, then "
                    "reload it");
      return;
    }
    list.pass(live_item, std::to_string(routes.size()) + " databases as in " + path);
  } catch (const HostError& e) {
    list.fail(live_item, e.what(), "check the connection to " + host.name);
  }
}

}  // namespace pgdeploy
