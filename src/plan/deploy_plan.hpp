#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "model/node.hpp"
#include "plan/extra_files.hpp"

namespace pgdeploy {

// What every host of one run is pointed at.
struct DeployPlan {
  std::string cluster;
  Node primary;
  Endpoint target;
  Epoch epoch;
  std::vector<std::string> databases;       // only names PgBouncer can represent
  bool fence = true;                        // false with --force
  Sessions sessions = Sessions::automatic;  // for hosts whose console pgdeploy reaches
  bool pause = false;
  std::optional<std::string> ro_suffix = std::nullopt;  // --ro-suffix
  std::vector<Standby> standbys = {};                   // running standbys, for read-only routes
  std::vector<ExtraFile> extras = {};                   // --sync-userlist, --sync-pgpass
};

}  // namespace pgdeploy
