#include "pgdeploy/host_deployer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "pgdeploy/fragment.hpp"
#include "pgdeploy/remote_install.hpp"

namespace pgdeploy {
namespace {

// The host's fragment belongs to a primary on a newer timeline: replacing it could hand
// traffic back to a superseded primary.
class HostRefusal : public HostError {
 public:
  explicit HostRefusal(const std::string& message) : HostError("fencing", message) {}
};

std::string step_for_status(int status) {
  switch (status) {
    case install_write_failed:
      return "write";
    case install_incomplete:
      return "transfer";
    case install_reload_failed:
      return "reload";
    case install_rolled_back:
      return "rollback";
    case install_refused:
      return "fencing";
    default:
      return "install";
  }
}

// The installer's stderr on one line.
std::string one_line(const std::string& text) {
  std::string line;
  for (const char c : text) {
    line += c == '\n' ? std::string("; ") : std::string(1, c);
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == ';')) {
    line.pop_back();
  }
  return line;
}

void check_installer(const CommandResult& result) {
  if (result.exit_status == install_ok) {
    return;
  }
  std::string message = one_line(result.errors);
  if (message.empty()) {
    message = "installer ended with status " + std::to_string(result.exit_status);
  }
  if (result.exit_status == install_refused) {
    throw HostRefusal(message);
  }
  throw HostError(step_for_status(result.exit_status), message);
}

std::string render_for(const DeployPlan& plan, const AppServer& host) {
  try {
    return render_fragment(FragmentInput{plan.cluster, plan.primary.id, plan.primary.name,
                                         plan.target, plan.epoch, plan.databases,
                                         host.application_name});
  } catch (const std::invalid_argument& e) {
    throw HostError("render", e.what());
  }
}

// Reads the installer's stdout up to its "installed" line. Lines before it (a login banner
// printed by the remote user's shell start-up files) are skipped. False when output ended.
bool await_installed(RemoteCommand& command) {
  while (const auto line = command.read_line()) {
    if (*line == installed_line) {
      return true;
    }
    spdlog::debug("remote output before the installer: {}", *line);
  }
  return false;
}

void check_row(const AppServer& host) {
  if (!host.invalid_reason.empty()) {
    throw HostError("config", "app_servers row unusable: " + host.invalid_reason);
  }
  if (host.config_dir.empty() || host.config_dir.front() != '/') {
    throw HostError("config", "config_dir must be an absolute path, not \"" + host.config_dir +
                                  "\"");
  }
}

}  // namespace

HostDeployer::HostDeployer(const DeployPlan& plan, HostConnector& ssh, AdminConnector& admin)
    : plan_(plan), ssh_(ssh), admin_(admin) {}

HostOutcome HostDeployer::deploy(const AppServer& host) {
  const auto started = std::chrono::steady_clock::now();
  HostOutcome outcome{host.name, host.address, HostResult::failed, "", {}};
  try {
    check_row(host);
    const std::string fragment = render_for(plan_, host);
    // Connecting first means an unreachable console fails the host before anything changes.
    const auto console = host.admin_conninfo ? admin_.connect(*host.admin_conninfo) : nullptr;
    push(host, fragment, console.get());
    outcome.result = HostResult::updated;
  } catch (const HostRefusal& e) {
    outcome.result = HostResult::refused;
    outcome.reason = e.step() + ": " + e.what() + "; this run's primary is node " +
                     std::to_string(plan_.primary.id) + " (" + plan_.primary.name +
                     ") on timeline " + std::to_string(plan_.epoch.timeline) +
                     " (--force overrides, e.g. after rebuilding the cluster)";
  } catch (const HostError& e) {
    outcome.reason = e.step() + ": " + e.what();
  } catch (const std::exception& e) {
    outcome.reason = std::string("internal: ") + e.what();
  }
  outcome.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return outcome;
}

void HostDeployer::push(const AppServer& host, const std::string& fragment,
                        AdminConsole* console) {
  const auto remote = ssh_.connect(host);
  // Without an admin console the installer reloads by command; with one, pgdeploy does.
  const auto command = remote->start(install_script(
      {host.config_dir, plan_.cluster + ".ini", fragment.size(), plan_.epoch.timeline,
       plan_.fence,
       console != nullptr ? std::nullopt
                          : std::optional(reload_command_for(host.reload_command, host.username))}));
  command->write(fragment);
  if (!await_installed(*command)) {
    command->close_input();  // no "commit": the installer rolls back and ends
    check_installer(command->wait());
    throw HostError("install", "the installer ended without installing");
  }
  if (console != nullptr) {
    reload_and_verify(host, *command, *console);
  }
  command->write(commit_line);
  command->close_input();
  check_installer(command->wait());
}

void HostDeployer::reload_and_verify(const AppServer& host, RemoteCommand& command,
                                     AdminConsole& console) {
  try {
    console.reload();
    verify_routing(console);
  } catch (const HostError&) {
    // Put the previous file back and load it again, so that file and PgBouncer agree. Failures
    // here are secondary: the installer also rolls back when the connection is lost.
    try {
      command.write(rollback_line);
      command.close_input();
      if (const CommandResult result = command.wait(); result.exit_status != install_rolled_back) {
        spdlog::warn("{}: rollback not confirmed (status {}): {}", host.name, result.exit_status,
                     one_line(result.errors));
      }
      console.reload();
    } catch (const std::exception& e) {
      spdlog::warn("{}: rollback incomplete: {}", host.name, e.what());
    }
    throw;
  }
}

void HostDeployer::verify_routing(AdminConsole& console) {
  // PgBouncer 1.18 answers RELOAD with success even when loading failed: check what it routes.
  const std::vector<RoutedDatabase> routed = console.show_databases();
  for (const std::string& name : plan_.databases) {
    const auto found = std::find_if(routed.begin(), routed.end(),
                                    [&](const RoutedDatabase& db) { return db.name == name; });
    if (found == routed.end()) {
      throw HostError("verify", "PgBouncer has no database " + name +
                                    " after RELOAD; it did not load the fragment (see its log)");
    }
    if (found->host != plan_.target.host || found->port != plan_.target.port ||
        found->dbname != name) {
      throw HostError("verify", "PgBouncer routes " + name + " to " + found->dbname + " at " +
                                    found->host + ":" + std::to_string(found->port) +
                                    ", not to " + name + " at " + plan_.target.host + ":" +
                                    std::to_string(plan_.target.port) + " after RELOAD");
    }
  }
  spdlog::debug("admin console: all {} databases route to {}:{}", plan_.databases.size(),
                plan_.target.host, plan_.target.port);
}

}  // namespace pgdeploy
