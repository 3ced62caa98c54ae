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
  std::int64_t revision = 0;  // the state's revision: its epoch key's mod revision
  AgentResult result = AgentResult::failed;
  std::string reason;
  std::chrono::system_clock::time_point time;
};

// "updated", "unchanged", "refused", "failed".
const char* result_name(AgentResult result);

// Whether NEXT tells the readers nothing that LAST, the acknowledgement in place, does not: the
// same state revision, epoch, primary, result and reason, or the state already applied found
// unchanged; an update is always news. The time does not count, so a periodic re-read that
// finds everything in place writes nothing (and wakes no watcher).
bool repeats(const AckRecord& last, const AckRecord& next);

// The acknowledgement's JSON value. Pure.
std::string ack_json(const AckRecord& ack);

}  // namespace pgdeploy
