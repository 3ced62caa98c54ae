#pragma once

#include <chrono>
#include <string>

namespace pgdeploy {

enum class HostResult {
  updated,
  failed,
  refused  // the host's fragment belongs to a newer primary than ours (fencing)
};

// What happened on one app server.
struct HostOutcome {
  std::string name;
  std::string address;
  HostResult result = HostResult::failed;
  std::string reason;  // why it failed or was refused, "step: message"; empty when updated
  std::chrono::milliseconds duration{0};
};

}  // namespace pgdeploy
