#pragma once

#include <optional>
#include <string>

#include "model/cluster.hpp"
#include "plan/fragment_file.hpp"

namespace pgdeploy {

// The fencing rule: whether this run's primary may replace a fragment in place. The installer
// applies the same rule on the app server (remote_install.cpp); this copy serves --dry-run and
// --check, which only read.
//
// A file without pgdeploy's header (written by hand or by another tool) may be replaced. A file
// with it is refused when
//   - its header cannot be read exactly (edited, two lines that disagree): fail closed;
//   - it names another system identifier: it belongs to another cluster;
//   - its timeline is newer than ours: our primary was superseded;
//   - its timeline is ours but its node is not: two primaries were promoted from one parent
//     and their histories diverged.
// Returns why, naming PATH and the holder; nullopt when the file may be replaced.
std::optional<std::string> fencing_refusal(const FragmentFile& held, const std::string& path,
                                           const Node& primary, const Epoch& epoch);

}  // namespace pgdeploy
