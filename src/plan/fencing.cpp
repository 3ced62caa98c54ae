#include "plan/fencing.hpp"

namespace pgdeploy {
namespace {

std::string holder_of(const FragmentFile& held) {
  return held.holder.empty() ? std::string("(unnamed)") : held.holder;
}

}  // namespace

std::optional<std::string> fencing_refusal(const FragmentFile& held, const std::string& path,
                                           const Node& primary, const Epoch& epoch) {
  if (!held.has_header) {
    return std::nullopt;
  }
  if (!held.header_problem.empty()) {
    return path + " carries pgdeploy's header, but " + held.header_problem +
           ": it was edited or damaged; check it, then remove it or use --force";
  }
  if (!held.system_identifier.empty() && !epoch.system_identifier.empty() &&
      held.system_identifier != epoch.system_identifier) {
    return path + " was written for another cluster (system identifier " + held.system_identifier +
           ", this cluster's is " + epoch.system_identifier +
           "): a rebuilt cluster, or two clusters sharing a name and config_dir; check the "
           "cluster name, then --force replaces it";
  }
  if (*held.timeline > epoch.timeline) {
    return path + " is held by the primary " + holder_of(held) + " on timeline " +
           std::to_string(*held.timeline) + ", newer than " + std::to_string(epoch.timeline) +
           ": this run's primary was superseded; rejoin it (repmgr node rejoin), --force only "
           "after rebuilding the cluster";
  }
  if (*held.timeline == epoch.timeline && *held.primary_id != primary.id) {
    return path + " is held by the primary " + holder_of(held) + " on the same timeline " +
           std::to_string(epoch.timeline) +
           ": two primaries were promoted from one parent; rejoin or rebuild the one that must "
           "not be primary, --force only after that";
  }
  return std::nullopt;
}

}  // namespace pgdeploy
