#include "agent/agent_ack.hpp"

#include <array>
#include <ctime>
#include <nlohmann/json.hpp>

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

std::string utc_iso8601(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  const std::size_t length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return {text.data(), length};
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
