#pragma once

#include <cstdint>
#include <string>

namespace pgdeploy {

// What the agent on an app server last wrote at PREFIX/CLUSTER/agents/NAME, on its lease: the
// epoch it applied (or was offered), the store's revision it read, its result and when.
struct AgentAck {
  std::string system_identifier;
  int timeline = 0;
  std::string lsn;
  int primary_id = 0;
  std::int64_t revision = 0;
  std::string result;  // updated, unchanged, refused or failed
  std::string reason;
  std::string time;        // UTC, ISO 8601
  std::int64_t lease = 0;  // 0: written without a lease, it never expires
  std::string problem;     // non-empty: the value is no acknowledgement, and why
};

}  // namespace pgdeploy
