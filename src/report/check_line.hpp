#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "model/outcome.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// A monitoring plugin's states (Nagios, Icinga): the exit status of --check.
enum class CheckState : int { ok = 0, warning = 1, critical = 2, unknown = 3 };

// What --check says of a run that ended with CODE after OUTCOMES:
// CRITICAL when a host's fragment routes writes elsewhere than the primary (or is missing), or
//   PgBouncer's configuration does not include it (unserved), or
//   when acting would be unsafe (two primaries, the primary in recovery: CODE safety_refusal);
// WARNING when a host's fragment differs otherwise, or cannot be read;
// UNKNOWN when the run could not judge (configuration, database unreachable, lock, signal, bug);
// OK when every host is current.
CheckState check_state(const std::vector<HostOutcome>& outcomes, ExitCode code);

// The one line --check prints on stdout: "PGDEPLOY STATE - text | perfdata", the text naming
// the hosts per problem (or ERROR, the run's error), the performance data counting the hosts
// current, drifting and failed and giving the run time, e.g.
// "PGDEPLOY CRITICAL - elsewhere: app1; unreadable: app3 | current=1;;;0;3 drifting=1;;;0;3
// failed=1;;;0;3 time=0.412s;;;0".
std::string check_status_line(const std::vector<HostOutcome>& outcomes, ExitCode code,
                              const std::string& error, std::chrono::milliseconds run_time);

}  // namespace pgdeploy
