#pragma once

#include <optional>
#include <string>

#include "cli/options.hpp"
#include "metadata/primary_check.hpp"
#include "metadata/repmgr_config.hpp"
#include "model/cluster.hpp"

namespace pgdeploy {

// From the command line to the metadata one run acts on.

// The local repmgr database: -p, else repmgr.conf's conninfo, else the default.
std::string local_conninfo(const Options& options, const std::optional<RepmgrConfig>& config);

// Throws a metadata error naming where CONNINFO came from (-p, repmgr.conf, the default) when
// libpq cannot parse it; the message quotes none of it.
void check_local_conninfo(const Options& options, const std::string& conninfo);

// Whether a run reads the secrets it would push (pg_shadow for --sync-userlist): a deploy does,
// status and doctor never do.
enum class Secrets { read, skip };

// Reads the metadata where it is current (a writable node), checks that the primary it names is
// writable and reads its epoch there, every connection opened with OPEN. Throws metadata errors
// and safety refusals.
ClusterState read_cluster(const Options& options, const std::string& conninfo,
                          const DatabaseOpener& open, Secrets secrets = Secrets::skip);

}  // namespace pgdeploy
