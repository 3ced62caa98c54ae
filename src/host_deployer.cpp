#include "pgdeploy/host_deployer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "pgdeploy/host_steps.hpp"
#include "pgdeploy/pgbouncer_switch.hpp"
#include "pgdeploy/remote_install.hpp"

namespace pgdeploy {

HostDeployer::HostDeployer(const DeployPlan& plan, HostConnector& ssh, AdminConnector& admin)
    : plan_(plan), ssh_(ssh), admin_(admin) {}

HostOutcome HostDeployer::deploy(const AppServer& host) {
  return visit_host(host, plan_, [&](HostOutcome& outcome) {
    check_row(host);
    const std::string fragment = render_for(plan_, host);
    // Connecting first means an unreachable console fails the host before anything changes.
    const auto console = host.admin_conninfo ? admin_.connect(*host.admin_conninfo) : nullptr;
    outcome.result =
        push(host, fragment, console.get()) ? HostResult::updated : HostResult::unchanged;
  });
}

bool HostDeployer::push(const AppServer& host, const std::string& fragment, AdminConsole* console) {
  const auto remote = ssh_.connect(host);
  push_extras(host, *remote);
  // Without an admin console the installer reloads by command; with one, pgdeploy does.
  const auto command = remote->start(install_script(
      {host.config_dir, plan_.cluster + ".ini", fragment.size(), plan_.epoch.timeline,
       plan_.fence,
       console != nullptr ? std::nullopt
                          : std::optional(reload_command_for(host.reload_command, host.username))}));
  send_to_installer(*command, fragment);
  const InstallerAnswer answer = await_installer(*command);
  if (answer != InstallerAnswer::installed) {
    command->close_input();  // no "commit": an installer that wrote anything rolls back
    check_installer(command->wait());
    if (answer == InstallerAnswer::unchanged) {
      return console != nullptr && reload_if_not_served(host, *console);
    }
    throw HostError("install", "the installer ended without installing");
  }
  if (console != nullptr) {
    switch_or_roll_back(host, *command, *console);
  }
  command->write(commit_line);
  command->close_input();
  check_installer(command->wait());
  return true;
}

bool HostDeployer::reload_if_not_served(const AppServer& host, AdminConsole& console) {
  const std::vector<Route> routes = routes_of(fragment_input_for(plan_, host));
  const auto problem = routing_problem(console.show_databases(), routes);
  if (!problem) {
    return false;
  }
  // The file is right but PgBouncer runs something else: an earlier reload failed or never
  // happened. A file that says the same is no reason to leave traffic where it is.
  spdlog::warn("{}: the fragment in place is current, but {}; reloading PgBouncer", host.name,
               *problem);
  switch_pgbouncer(console, plan_, routes, host.name);
  return true;
}

void HostDeployer::push_extras(const AppServer& host, RemoteHost& remote) {
  for (const ExtraFile& file : plan_.extras) {
    if (!receives(host, file)) {
      continue;
    }
    InstallRequest request{file.directory, file.name, file.content.size(), 0, false,
                           std::nullopt, "0600", file.in_home};
    const auto command = remote.start(install_script(request));
    send_to_installer(*command, file.content);
    const InstallerAnswer answer = await_installer(*command);
    if (answer == InstallerAnswer::installed) {
      command->write(commit_line);
    }
    command->close_input();
    try {
      check_installer(command->wait());
    } catch (const HostError& e) {
      throw HostError(file.label, e.what());
    }
    spdlog::debug("{}: {} {}", host.name, file.label,
                  answer == InstallerAnswer::installed ? "written" : "unchanged");
  }
}

void HostDeployer::switch_or_roll_back(const AppServer& host, RemoteCommand& command,
                                       AdminConsole& console) {
  try {
    switch_pgbouncer(console, plan_, routes_of(fragment_input_for(plan_, host)), host.name);
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

}  // namespace pgdeploy
