#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "metadata/primary_check.hpp"
#include "model/app_server.hpp"
#include "report/checklist.hpp"

namespace pgdeploy {

// What pgdeploy doctor found in the metadata: its checklist, and the app servers to check.
struct MetadataFindings {
  std::vector<CheckItem> items;
  std::vector<AppServer> app_servers;  // empty when they could not be read
};

// Checks, each as its own item: a writable node answers at CONNINFO; repmgr's layout; the
// app_servers table and its columns; exactly one active primary; that primary reachable and not
// in recovery; with --public-net its node_public_info row. Items that need a failed one are
// skipped. Every connection is opened with OPEN. Never throws for what it checks.
MetadataFindings check_metadata(const Options& options, const std::string& conninfo,
                                const DatabaseOpener& open);

}  // namespace pgdeploy
