#include "doctor/hook_check.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <string_view>
#include <vector>

#include "util/text.hpp"

namespace pgdeploy {
namespace {

// The command's words, split at blanks with quote characters removed: enough to find options,
// since repmgr hands the whole line to the shell.
std::vector<std::string> words_of(const std::string& command) {
  std::string unquoted;
  std::remove_copy_if(command.begin(), command.end(), std::back_inserter(unquoted),
                      [](char c) { return c == '\'' || c == '"'; });
  std::istringstream stream(unquoted);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) {
    words.push_back(word);
  }
  return words;
}

// True when WORDS give option LONG_NAME (or SHORT_NAME) the value VALUE, in any spelling:
// "--name=value", "--name value", "-x value", "-xvalue".
bool has_option(const std::vector<std::string>& words, std::string_view long_name,
                std::string_view short_name, const std::string& value) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    const bool named = word == long_name || (!short_name.empty() && word == short_name);
    if ((named && i + 1 < words.size() && words[i + 1] == value) ||
        word == std::string(long_name) + "=" + value ||
        (!short_name.empty() && word == std::string(short_name) + value)) {
      return true;
    }
  }
  return false;
}

bool runs_pgdeploy(const std::vector<std::string>& words) {
  return std::any_of(words.begin(), words.end(), [](const std::string& word) {
    return word == "pgdeploy" || word.ends_with("/pgdeploy");
  });
}

}  // namespace

std::optional<std::string> hook_command_problem(const std::optional<std::string>& command,
                                                const std::string& cluster) {
  if (!command || trim(*command).empty()) {
    return "event_notification_command is not set";
  }
  const std::vector<std::string> words = words_of(*command);
  std::vector<std::string> missing;
  if (!runs_pgdeploy(words)) {
    missing.emplace_back("the pgdeploy program");
  }
  if (!has_option(words, "--event", "", "%e")) {
    missing.emplace_back("--event=%e");
  }
  if (!has_option(words, "--success", "", "%s")) {
    missing.emplace_back("--success=%s");
  }
  if (!has_option(words, "--cluster", "-c", cluster)) {
    missing.push_back("-c " + cluster);
  }
  if (missing.empty()) {
    return std::nullopt;
  }
  std::string text;
  for (const std::string& item : missing) {
    text += (text.empty() ? "" : ", ") + item;
  }
  return "event_notification_command lacks " + text;
}

std::optional<std::string> event_notifications_problem(const std::optional<std::string>& list) {
  if (!list || trim(*list).empty()) {
    return std::nullopt;  // unset: repmgr runs the command for every event
  }
  constexpr std::array<std::string_view, 3> needed{"standby_promote", "repmgrd_failover_promote",
                                                   "standby_switchover"};
  const std::vector<std::string> listed = comma_separated(*list);
  std::string missing;
  for (const std::string_view event : needed) {
    if (std::find(listed.begin(), listed.end(), event) == listed.end()) {
      missing += (missing.empty() ? "" : ", ") + std::string(event);
    }
  }
  if (missing.empty()) {
    return std::nullopt;
  }
  return "event_notifications leaves out " + missing;
}

std::optional<std::string> promote_delay_problem(const RepmgrConfig& config) {
  if (config.service_promote_command && !trim(*config.service_promote_command).empty()) {
    return std::nullopt;
  }
  return "service_promote_command is not set: repmgr standby promote checks the promotion "
         "only after promote_check_interval (1 s at least) and runs this hook then, while "
         "PgBouncer still sends clients to the old primary";
}

std::string promote_command_fix(const RepmgrConfig& config) {
  const std::string data_directory = config.data_directory.value_or("DATA_DIRECTORY");
  return "set service_promote_command='pg_ctl -w -D " + data_directory +
         " promote' (the full path of this server's pg_ctl; on Debian pg_ctlcluster VERSION "
         "CLUSTER promote), which returns once the server is promoted";
}

}  // namespace pgdeploy
