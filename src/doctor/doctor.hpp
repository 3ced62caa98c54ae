#pragma once

#include <ostream>

#include "cli/options.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// pgdeploy doctor: checks that the programs come from one build, repmgr.conf's hook (with -f), the
// metadata, the SSH key and known_hosts, and every enabled app server in parallel; prints the
// checklist (or its JSON) to OUT. Read-only. Returns ok when every item passed, host_failed
// otherwise.
ExitCode run_doctor(const Options& options, std::ostream& out);

}  // namespace pgdeploy
