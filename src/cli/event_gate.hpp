#pragma once

#include <optional>

#include "cli/options.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// Ends the runs of repmgr's event hook that need no deployment, before anything is read:
// repmgr waits for the hook, so this path must cost next to nothing. Returns the exit code for
// an event that cannot move writes (logged at debug level) or that reports failure (a
// warning), and nothing when the run goes on. Throws a usage error when --success is neither
// 1 nor 0 (see decide_for_event).
std::optional<ExitCode> skip_for_event(const EventOptions& event);

}  // namespace pgdeploy
