#include "deploy/host_steps.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "model/app_server.hpp"
#include "plan/fragment.hpp"
#include "ssh/remote_install.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {
namespace {

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
    case install_unreadable:
      return "read";
    default:
      return "install";
  }
}

}  // namespace

void check_row(const AppServer& host) {
  if (!host.invalid_reason.empty()) {
    throw HostError("config", "app_servers row unusable: " + host.invalid_reason);
  }
  if (host.config_dir.empty() || host.config_dir.front() != '/') {
    throw HostError("config",
                    "config_dir must be an absolute path, not \"" + host.config_dir + "\"");
  }
}

namespace {

Endpoint read_only_target(const DeployPlan& plan, const AppServer& host) {
  const auto local = std::find_if(
      plan.standbys.begin(), plan.standbys.end(),
      [&](const Standby& s) { return !host.location.empty() && s.location == host.location; });
  if (local != plan.standbys.end()) {
    return local->endpoint;
  }
  return plan.standbys.empty() ? plan.target : plan.standbys.front().endpoint;
}

}  // namespace

FragmentInput fragment_input_for(const DeployPlan& plan, const AppServer& host) {
  FragmentInput input{plan.cluster, plan.primary.id, plan.primary.name,     plan.target,
                      plan.epoch,   plan.databases,  host.application_name, std::nullopt};
  if (plan.ro_suffix) {
    input.read_only = ReadOnlyRoute{*plan.ro_suffix, read_only_target(plan, host)};
  }
  return input;
}

std::string render_for(const DeployPlan& plan, const AppServer& host) {
  try {
    return render_fragment(fragment_input_for(plan, host));
  } catch (const std::invalid_argument& e) {
    throw HostError("render", e.what());
  }
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

void send_to_installer(RemoteCommand& command, std::string_view data) {
  try {
    command.write(data);
  } catch (const HostError& write_failure) {
    std::optional<CommandResult> result;
    try {
      result = command.wait();
    } catch (const HostError&) {
      throw write_failure;  // the connection itself is gone
    }
    // Only these stop the installer before it reads its input.
    if (result->exit_status == install_refused || result->exit_status == install_write_failed ||
        result->exit_status == install_unreadable) {
      check_installer(*result);
    }
    throw write_failure;
  }
}

InstallerAnswer await_installer(RemoteCommand& command, HostDeadline& deadline,
                                FileInPlace* in_place) {
  while (const auto line = command.read_line()) {
    if (in_place != nullptr && line->starts_with("held by ")) {
      in_place->held_by = line->substr(std::string_view("held by ").size());
      continue;
    }
    if (in_place != nullptr && *line == new_file_line) {
      in_place->absent = true;
      continue;
    }
    if (*line == reloading_line) {
      deadline.begin("reload");
      continue;
    }
    if (*line == installed_line) {
      return InstallerAnswer::installed;
    }
    if (*line == unchanged_line) {
      return InstallerAnswer::unchanged;
    }
    if (*line == ready_line) {
      return InstallerAnswer::ready;
    }
    spdlog::debug("remote output before the installer: {}", *line);
  }
  return InstallerAnswer::ended;
}

std::string refusal_reason(const HostRefusal& refusal, const DeployPlan& plan) {
  return refusal.step() + ": " + refusal.what() + " (this run's primary is " +
         describe(plan.primary) + " on timeline " + std::to_string(plan.epoch.timeline) + ")";
}

HostOutcome visit_host(const AppServer& host, const DeployPlan& plan, const TimeLimits& limits,
                       const std::function<void(HostOutcome&, HostDeadline&)>& visit) {
  const auto started = std::chrono::steady_clock::now();
  HostOutcome outcome{host.name, host.address, HostResult::failed, "", {}, {}};
  try {
    HostDeadline deadline(limits);
    visit(outcome, deadline);
  } catch (const HostRefusal& e) {
    outcome.result = HostResult::refused;
    outcome.reason = refusal_reason(e, plan);
  } catch (const HostError& e) {
    outcome.result = HostResult::failed;
    outcome.reason = e.step() + ": " + e.what();
  } catch (const std::exception& e) {
    outcome.result = HostResult::failed;
    outcome.reason = std::string("internal: ") + e.what();
  }
  outcome.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return outcome;
}

std::optional<RemoteFragment> read_remote_fragment(RemoteHost& remote,
                                                   const std::string& config_dir,
                                                   const std::string& file_name, bool mtime) {
  const auto command = remote.start(read_script(config_dir, file_name, mtime));
  command->close_input();
  std::optional<std::string> answer;
  // Lines before the answer come from the remote user's shell start-up files.
  while ((answer = command->read_line()) && *answer != "present" && *answer != "absent") {
  }
  CommandResult result = command->wait();
  if (result.exit_status != 0) {
    throw HostError("read", one_line(result.errors));
  }
  if (!answer) {
    throw HostError("read", "no answer from the remote shell");
  }
  if (*answer == "absent") {
    return std::nullopt;
  }
  RemoteFragment fragment{std::move(result.output), ""};
  if (mtime) {
    const std::size_t end = fragment.text.find('\n');
    fragment.modified = fragment.text.substr(0, end);
    fragment.text.erase(0, end == std::string::npos ? end : end + 1);
  }
  return fragment;
}

}  // namespace pgdeploy
