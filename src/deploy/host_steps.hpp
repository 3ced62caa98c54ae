#pragma once

#include <functional>
#include <string>

#include "deploy/host_deployer.hpp"
#include "model/app_server.hpp"
#include "plan/fragment.hpp"
#include "ssh/remote_host.hpp"
#include "util/deadline.hpp"
#include "util/text.hpp"

namespace pgdeploy {

// Steps shared by every way of visiting a host (deploying, inspecting).

// The host's fragment belongs to a primary on a newer timeline: replacing it could hand
// traffic back to a superseded primary.
class HostRefusal : public HostError {
 public:
  explicit HostRefusal(const std::string& message) : HostError("fencing", message) {}
};

// Throws HostError (step "config") for an app_servers row that cannot be deployed to.
void check_row(const AppServer& host);

// What the host's fragment is made of: the plan's routes, the host's application_name, and with
// --ro-suffix a standby in the host's location, else any running standby, else the primary.
FragmentInput fragment_input_for(const DeployPlan& plan, const AppServer& host);

// The host's fragment; throws HostError (step "render") when it cannot be written.
std::string render_for(const DeployPlan& plan, const AppServer& host);

// Throws the HostError (or HostRefusal) that an installer's exit status stands for.
void check_installer(const CommandResult& result);

// Sends DATA to the installer. An installer that stops before reading its input (a refusal, a
// missing or unwritable directory) closes it early: then its exit status says why, not the
// failed write.
void send_to_installer(RemoteCommand& command, std::string_view data);

// What the installer said first.
enum class InstallerAnswer {
  installed,  // the new file is in place (and reloaded by command); it waits for "commit"
  unchanged,  // the file already said the same; nothing was written
  ready,      // (hold) fencing passed and the new file arrived; it waits for "go"
  ended       // output ended without either: the installer failed
};

// What the installer said of the file in place before it replaced it.
struct FileInPlace {
  std::string held_by;  // from the fencing check: "node N (NAME) at HOST:PORT"
  bool absent = false;  // there was none: the installer creates it
};

// Reads the installer's stdout up to its first answer, skipping lines before it (a login
// banner printed by the remote user's shell start-up files). From the installer's "reloading"
// on, the step under DEADLINE is "reload". IN_PLACE, when given, receives what the installer
// said of the file in place.
InstallerAnswer await_installer(RemoteCommand& command, HostDeadline& deadline,
                                FileInPlace* in_place = nullptr);

// A fragment read from an app server.
struct RemoteFragment {
  std::string text;
  std::string modified;  // UTC, ISO 8601; only when asked for
};

// The fragment <config_dir>/<file_name> on REMOTE, with its modification time when MTIME;
// nullopt when there is none. Throws HostError (step "read") when it cannot be read.
std::optional<RemoteFragment> read_remote_fragment(RemoteHost& remote,
                                                   const std::string& config_dir,
                                                   const std::string& file_name,
                                                   bool mtime = false);

// The reason a refusal is reported with: the holder the installer named and this run's primary.
std::string refusal_reason(const HostRefusal& refusal, const DeployPlan& plan);

// Runs VISIT for HOST under a deadline of its own and turns whatever it throws into the outcome
// (refused, or failed with "step: why"), timing it. VISIT sets the result when it succeeds.
HostOutcome visit_host(const AppServer& host, const DeployPlan& plan, const TimeLimits& limits,
                       const std::function<void(HostOutcome&, HostDeadline&)>& visit);

}  // namespace pgdeploy
