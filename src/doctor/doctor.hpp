#pragma once

#include <ostream>
#include <vector>

#include "cli/options.hpp"
#include "etcd/etcd_client.hpp"
#include "metadata/primary_check.hpp"
#include "pgbouncer/admin_console.hpp"
#include "report/checklist.hpp"
#include "ssh/remote_host.hpp"
#include "util/errors.hpp"

namespace pgdeploy {

// pgdeploy doctor: after ITEMS (what the caller checked already: the programs' build), checks
// repmgr.conf's hook (with -f), the metadata (never its secrets) with OPEN, the SSH key and
// known_hosts by loading them with LOAD_SSH (only when a row is delivered over SSH), and every
// enabled app server in parallel with them and ADMIN; the rows of agents and etcd with ETCD
// (null without --etcd); prints the checklist (or its JSON) to OUT. Read-only but for a probe
// key put and deleted in etcd. Returns ok when every item passed, host_failed otherwise.
ExitCode run_doctor(const Options& options, std::vector<CheckItem> items,
                    const DatabaseOpener& open, const HostConnectorLoader& load_ssh,
                    AdminConnector& admin, std::ostream& out, etcd::EtcdClient* etcd = nullptr);

}  // namespace pgdeploy
