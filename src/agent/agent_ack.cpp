#include "agent/agent_ack.hpp"

#include <nlohmann/json.hpp>

#include "util/text.hpp"

namespace pgdeploy {

const char* result_name(AgentResult result) {
  switch (result) {
    case AgentResult::updated:
      return "updated";
    case AgentResult::unchanged:
      return "unchanged";
    case AgentResult::refused:
      return "refused";
    case AgentResult::failed:
      break;
  }
  return "failed";
}

bool repeats(const AckRecord& last, const AckRecord& next) {
  if (next.result == AgentResult::updated || last.revision != next.revision) {
    return false;  // something was written, or a new state read: the readers wait for it
  }
  const bool same_epoch =
      last.epoch.has_value() == next.epoch.has_value() &&
      (!last.epoch ||
       (last.epoch->system_identifier == next.epoch->system_identifier &&
        last.epoch->timeline == next.epoch->timeline && last.epoch->lsn == next.epoch->lsn));
  const bool same_result = last.result == next.result || (last.result == AgentResult::updated &&
                                                          next.result == AgentResult::unchanged);
  return same_epoch && last.primary_id == next.primary_id && same_result &&
         last.reason == next.reason;
}

std::string ack_json(const AckRecord& ack) {
  nlohmann::json epoch(nullptr);
  if (ack.epoch) {
    epoch = {{"system_identifier", ack.epoch->system_identifier},
             {"timeline", ack.epoch->timeline},
             {"lsn", ack.epoch->lsn},
             {"primary_id", ack.primary_id}};
  }
  return nlohmann::json{{"epoch", epoch},
                        {"revision", ack.revision},
                        {"result", result_name(ack.result)},
                        {"reason", ack.reason},
                        {"time", utc_iso8601(ack.time)}}
      .dump();
}

}  // namespace pgdeploy
