#pragma once

#include <ostream>

#include "cli/options.hpp"
#include "metadata/primary_check.hpp"
#include "pgbouncer/admin_console.hpp"
#include "ssh/remote_host.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// pgdeploy doctor: checks repmgr.conf's hook (with -f), the metadata (never its secrets) with
// OPEN, the SSH key and known_hosts by loading them with LOAD_SSH, and every enabled app server
// in parallel with them and ADMIN; prints the checklist (or its JSON) to OUT. Read-only.
// Returns ok when every item passed, host_failed otherwise.
ExitCode run_doctor(const Options& options, const DatabaseOpener& open,
                    const HostConnectorLoader& load_ssh, AdminConnector& admin, std::ostream& out);

}  // namespace pgdeploy
