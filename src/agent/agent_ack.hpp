#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "model/node.hpp"

namespace pgdeploy {

// What an agent did with one state of the store.
enum class AgentResult { updated, unchanged, refused, failed };

// The acknowledgement an agent writes at PREFIX/CLUSTER/agents/NAME (its format is documented
// in publish/published_state.hpp, for the readers of these keys).
struct AckRecord {
  std::optional<Epoch> epoch;  // the state's epoch; nullopt when it could not be read
  int primary_id = 0;
  std::int64_t revision = 0;  // the store revision of the state applied (or tried)
  AgentResult result = AgentResult::failed;
  std::string reason;
  std::chrono::system_clock::time_point time;
};

// "updated", "unchanged", "refused", "failed".
const char* result_name(AgentResult result);

// TIME as UTC ISO 8601 to the second: "2026-01-31T12:00:00Z".
std::string utc_iso8601(std::chrono::system_clock::time_point time);

// The acknowledgement's JSON value. Pure.
std::string ack_json(const AckRecord& ack);

}  // namespace pgdeploy
