#include "agent/local_install.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "deploy/host_steps.hpp"
#include "pgbouncer/pgbouncer_switch.hpp"
#include "plan/fragment_format.hpp"
#include "ssh/remote_install.hpp"
#include "util/atomic_file.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

constexpr mode_t fragment_mode = 0640;  // as the installer's: PgBouncer's group may read it

// The file at PATH, nullopt when there is none. Throws HostError (step "read") when it
// exists but cannot be read.
std::optional<std::string> read_in_place(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error) && !error) {
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || error) {
    throw HostError("read", "cannot read " + path);
  }
  return text.str();
}

// Puts PREVIOUS back at PATH (removes the file when there was none).
void put_back(const std::string& path, const std::optional<std::string>& previous) {
  if (previous) {
    write_file_atomically(path, *previous, fragment_mode, true);
  } else {
    std::filesystem::remove(path);
  }
}

void run_reload_command(const std::string& command) {
  // std::system runs it with /bin/sh -c, as the installer runs it on app servers.
  const int status = std::system(command.c_str());  // NOLINT(cert-env33-c): the operator's
  if (status != 0) {
    throw HostError("reload", "reload command failed (status " +
                                  std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status) +
                                  "): " + command);
  }
}

}  // namespace

LocalInstaller::LocalInstaller(AdminConnector& admin, TimeLimits limits)
    : admin_(admin), limits_(std::move(limits)) {}

LocalOutcome LocalInstaller::apply(const PublishedState& state) {
  // A deadline of its own for every state: an agent runs for ever, its applies do not.
  TimeLimits limits = limits_;
  limits.run_started = limits.now();
  HostDeadline deadline(limits);
  try {
    return install(state, deadline);
  } catch (const HostRefusal& e) {
    return {AgentResult::refused, e.what()};
  } catch (const HostError& e) {
    return {AgentResult::failed, e.step() + ": " + e.what()};
  } catch (const std::exception& e) {
    return {AgentResult::failed, e.what()};
  }
}

LocalOutcome LocalInstaller::install(const PublishedState& state, HostDeadline& deadline) {
  const AppServer& host = state.host;
  check_row(host);
  const std::string fragment = render_for(state.plan, host);
  const std::string path = fragment_path(host.config_dir, state.plan.cluster);
  deadline.begin("fencing");
  const std::optional<std::string> previous = read_in_place(path);
  if (previous) {
    if (const auto refusal =
            fencing_refusal(parse_header(*previous), path, state.plan.primary, state.plan.epoch)) {
      throw HostRefusal(*refusal);
    }
    if (same_fragment(*previous, fragment)) {
      return {reload_if_not_served(state, deadline) ? AgentResult::updated : AgentResult::unchanged,
              ""};
    }
  }
  deadline.begin("write");
  write_file_atomically(path, fragment, fragment_mode, true);
  try {
    reload(state, deadline);
  } catch (const HostError& e) {
    const HostDeadline::Lift lift(deadline);
    std::string rollback = "the previous file was put back";
    try {
      put_back(path, previous);
      reload_previous(state.host, deadline);
    } catch (const std::exception& again) {
      rollback += std::string(", but reloading it failed too: ") + again.what();
    }
    throw HostError(e.step(), std::string(e.what()) + "; " + rollback);
  }
  if (!previous) {
    spdlog::warn(
        "CREATED {}, which did not exist: PgBouncer routes through it only if its "
        "configuration includes it (%include {} under [databases])",
        path, path);
  }
  return {AgentResult::updated, ""};
}

void LocalInstaller::reload(const PublishedState& state, HostDeadline& deadline) {
  deadline.begin("reload");
  const AppServer& host = state.host;
  if (!host.admin_conninfo) {
    run_reload_command(reload_command_for(host.reload_command, host.username));
    return;
  }
  const auto console = admin_.connect(*host.admin_conninfo, deadline);
  switch_pgbouncer(*console, state.plan, routes_of(fragment_input_for(state.plan, host)), deadline,
                   host.name);
}

void LocalInstaller::reload_previous(const AppServer& host, HostDeadline& deadline) {
  if (host.admin_conninfo) {
    admin_.connect(*host.admin_conninfo, deadline)->reload();
  } else {
    run_reload_command(reload_command_for(host.reload_command, host.username));
  }
}

bool LocalInstaller::reload_if_not_served(const PublishedState& state, HostDeadline& deadline) {
  if (!state.host.admin_conninfo) {
    return false;
  }
  deadline.begin("verify");
  const auto console = admin_.connect(*state.host.admin_conninfo, deadline);
  const std::vector<Route> routes = routes_of(fragment_input_for(state.plan, state.host));
  const auto problem = routing_problem(console->show_databases(), routes);
  if (!problem) {
    return false;
  }
  spdlog::warn("the fragment in place is current, but {}; reloading PgBouncer", *problem);
  switch_pgbouncer(*console, state.plan, routes, deadline, state.host.name);
  return true;
}

}  // namespace pgdeploy
