#include "deploy/host_deployer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "deploy/host_steps.hpp"
#include "model/app_server.hpp"
#include "pgbouncer/pgbouncer_switch.hpp"
#include "pgbouncer/ssh_console.hpp"
#include "plan/fragment_file.hpp"
#include "plan/fragment_format.hpp"
#include "ssh/remote_install.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {

HostDeployer::HostDeployer(const DeployPlan& plan, HostConnector& ssh, AdminConnector& admin,
                           TimeLimits limits)
    : plan_(plan), ssh_(ssh), admin_(admin), limits_(std::move(limits)) {}

std::string HostDeployer::file_name() const { return fragment_file_name(plan_.cluster); }

HostOutcome HostDeployer::deploy(const AppServer& host) {
  return visit_host(host, plan_, limits_, [&](HostOutcome& outcome, HostDeadline& deadline) {
    check_row(host);
    const std::string fragment = render_for(plan_, host);
    // Connecting first means an unreachable console fails the host before anything changes.
    const auto console =
        host.admin_conninfo ? admin_.connect(*host.admin_conninfo, deadline) : nullptr;
    outcome.result =
        push(host, fragment, console.get(), deadline) ? HostResult::updated : HostResult::unchanged;
  });
}

bool HostDeployer::push(const AppServer& host, const std::string& fragment, AdminConsole* console,
                        HostDeadline& deadline) {
  const auto remote = ssh_.connect(host, deadline);
  deadline.begin("install");
  const bool with_extras = std::any_of(plan_.extras.begin(), plan_.extras.end(),
                                       [&](const ExtraFile& file) { return receives(host, file); });
  InstallRequest request;
  request.config_dir = host.config_dir;
  request.file_name = file_name();
  request.size = fragment.size();
  request.timeline = plan_.epoch.timeline;
  request.fence = plan_.fence;
  request.node_id = plan_.primary.id;
  request.system_identifier = plan_.epoch.system_identifier;
  request.hold = with_extras;
  // Without an admin console the installer reloads by command; with one, pgdeploy does.
  if (console == nullptr) {
    request.reload_command = reload_command_for(host.reload_command, host.username);
  }
  const auto command = remote->start(install_script(request));
  send_to_installer(*command, fragment);
  FileInPlace in_place;
  InstallerAnswer answer = await_installer(*command, deadline, &in_place);
  if (answer == InstallerAnswer::ready) {
    push_extras_or_stop(host, *remote, *command, deadline);
    deadline.begin("install");
    answer = await_installer(*command, deadline, &in_place);
  }
  if (answer != InstallerAnswer::installed) {
    command->close_input();  // no "commit": an installer that wrote anything rolls back
    check_installer(command->wait());
    if (answer == InstallerAnswer::unchanged) {
      return after_unchanged(host, *remote, console, deadline);
    }
    throw HostError("install", "the installer ended without installing");
  }
  if (console != nullptr) {
    switch_or_roll_back(host, *command, *console, deadline);
  } else if (primary_moved(in_place.held_by)) {
    deadline.begin("sessions");
    move_sessions_over_ssh(host, *remote);
  }
  commit(host, *command, console, deadline);
  if (in_place.absent) {
    warn_new_file(host);
  }
  return true;
}

void HostDeployer::warn_new_file(const AppServer& host) const {
  // Nothing verifies that PgBouncer reads this file: without an admin console nothing is
  // asked, and with one the routes may be served from another file (a cluster name in another
  // case, -c Main for main, names another file with the same routes).
  const std::string path = fragment_path(host.config_dir, plan_.cluster);
  spdlog::warn(
      "{}: CREATED {}, which did not exist: PgBouncer routes through it only if its "
      "configuration includes it (%include {} under [databases]); check with pgdeploy doctor "
      "-c {}",
      host.name, path, path, plan_.cluster);
}

bool HostDeployer::primary_moved(const std::string& held_by) const {
  const auto previous = parse_fragment_file("; Primary: " + held_by).target;
  return previous && !(*previous == plan_.target);
}

void HostDeployer::move_sessions_over_ssh(const AppServer& host, RemoteHost& remote) {
  // The reload command has been sent; a signal takes effect a moment later.
  const std::vector<Route> routes = routes_of(fragment_input_for(plan_, host));
  try {
    SshConsole console(remote, host.pgbouncer_ini);
    // Every route to the primary moved with it; read-only routes are left to their standbys.
    std::vector<Route> moved;
    std::copy_if(routes.begin(), routes.end(), std::back_inserter(moved),
                 [&](const Route& route) { return route.target == plan_.target; });
    if (!move_sessions_once_served(console, plan_, routes, moved, host.name,
                                   std::chrono::milliseconds(1000))) {
      spdlog::warn(
          "{}: PgBouncer does not serve the new fragment yet; its sessions were left "
          "alone",
          host.name);
    }
  } catch (const HostError& e) {
    spdlog::warn(
        "{}: the primary moved, but PgBouncer's console cannot be reached over SSH "
        "({}); clients that tried the old primary can wait up to PgBouncer's "
        "server_login_retry: set admin_conninfo, or let the SSH user reach the console "
        "with psql (see pgdeploy doctor)",
        host.name, e.what());
  }
}

void HostDeployer::push_extras_or_stop(const AppServer& host, RemoteHost& remote,
                                       RemoteCommand& command, HostDeadline& deadline) {
  try {
    push_extras(host, remote, deadline);
  } catch (const HostError&) {
    command.close_input();  // no "go": the installer ends without touching the fragment
    command.wait();
    throw;
  }
  command.write(go_line);
}

bool HostDeployer::after_unchanged(const AppServer& host, RemoteHost& remote, AdminConsole* console,
                                   HostDeadline& deadline) {
  // The fragment in place says the same: it passed fencing, so the extra files may follow.
  const bool extras_written = push_extras(host, remote, deadline);
  deadline.begin("reload");
  if (console != nullptr) {
    if (reload_if_not_served(host, *console, deadline)) {
      return true;
    }
    if (extras_written) {
      console->reload();  // PgBouncer reads its auth_file again
    }
    return extras_written;
  }
  if (extras_written) {
    reload_by_command(host, remote);
  }
  return extras_written;
}

void HostDeployer::reload_by_command(const AppServer& host, RemoteHost& remote) {
  const CommandResult result =
      run_remote(remote, reload_command_for(host.reload_command, host.username));
  if (result.exit_status != 0) {
    throw HostError("reload", "reload command failed (status " +
                                  std::to_string(result.exit_status) +
                                  "): " + one_line(result.errors));
  }
}

void HostDeployer::commit(const AppServer& host, RemoteCommand& command, AdminConsole* console,
                          HostDeadline& deadline) {
  deadline.begin("commit");
  try {
    command.write(commit_line);
    command.close_input();
    check_installer(command.wait());
  } catch (const HostError& e) {
    if (console == nullptr || e.step() == HostDeadline::timeout_step) {
      // By command, the installer reloads after putting the previous file back; after the
      // deadline, dropping the connection is the rollback (the next run repairs PgBouncer).
      throw;
    }
    // PgBouncer already runs the new routes, and the installer puts the previous file back
    // when "commit" does not reach it: make the two agree again.
    throw HostError("commit",
                    std::string(e.what()) + "; " + match_file_in_place(host, *console, deadline));
  }
}

std::string HostDeployer::match_file_in_place(const AppServer& host, AdminConsole& console,
                                              HostDeadline& deadline) {
  // A repair that must run even when little of the deadline is left; each wait is still -t.
  const HostDeadline::Lift lift(deadline);
  const int wait_seconds = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(deadline.operation()).count());
  try {
    const auto remote = ssh_.connect(host, deadline);
    const CommandResult waited =
        run_remote(*remote, await_installers_script(host.config_dir, file_name(), wait_seconds));
    if (waited.exit_status != 0) {
      spdlog::warn("{}: {}", host.name, one_line(waited.errors));
    }
    console.reload();
    const auto in_place = read_remote_fragment(*remote, host.config_dir, file_name());
    const auto problem = routing_problem(
        console.show_databases(), parse_fragment_file(in_place ? in_place->text : "").routes);
    if (problem) {
      return "after reloading PgBouncer again, " + *problem;
    }
    return "PgBouncer was reloaded and serves the file in place again";
  } catch (const std::exception& e) {
    return std::string("PgBouncer may serve routes that the file in place no longer has (") +
           e.what() + "); the next run repairs it";
  }
}

bool HostDeployer::reload_if_not_served(const AppServer& host, AdminConsole& console,
                                        HostDeadline& deadline) {
  deadline.begin("verify");
  const std::vector<Route> routes = routes_of(fragment_input_for(plan_, host));
  const auto problem = routing_problem(console.show_databases(), routes);
  if (!problem) {
    return false;
  }
  // The file is right but PgBouncer runs something else: an earlier reload failed or never
  // happened. A file that says the same is no reason to leave traffic where it is.
  spdlog::warn("{}: the fragment in place is current, but {}; reloading PgBouncer", host.name,
               *problem);
  switch_pgbouncer(console, plan_, routes, deadline, host.name);
  return true;
}

bool HostDeployer::push_extras(const AppServer& host, RemoteHost& remote, HostDeadline& deadline) {
  bool written = false;
  for (const ExtraFile& file : plan_.extras) {
    if (!receives(host, file)) {
      continue;
    }
    deadline.begin(file.label);
    InstallRequest request;
    request.config_dir = file.directory;
    request.file_name = file.name;
    request.size = file.content.size();
    request.fence = false;
    request.mode = "0600";
    request.in_home = file.in_home;
    const auto command = remote.start(install_script(request));
    send_to_installer(*command, file.content);
    const InstallerAnswer answer = await_installer(*command, deadline);
    if (answer == InstallerAnswer::installed) {
      command->write(commit_line);
    }
    command->close_input();
    try {
      check_installer(command->wait());
    } catch (const HostError& e) {
      if (e.step() == HostDeadline::timeout_step) {
        throw;  // already names the file's step
      }
      throw HostError(file.label, e.what());
    }
    written = written || answer == InstallerAnswer::installed;
    spdlog::debug("{}: {} {}", host.name, file.label,
                  answer == InstallerAnswer::installed ? "written" : "unchanged");
  }
  return written;
}

void HostDeployer::switch_or_roll_back(const AppServer& host, RemoteCommand& command,
                                       AdminConsole& console, HostDeadline& deadline) {
  try {
    switch_pgbouncer(console, plan_, routes_of(fragment_input_for(plan_, host)), deadline,
                     host.name);
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
