#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pgdeploy {

// The settings pgdeploy takes from repmgr's own configuration file.
struct RepmgrConfig {
  std::optional<std::string> conninfo;
  std::optional<int> node_id;
  std::optional<std::string> event_notification_command;
  std::optional<std::string> event_notifications;
  std::optional<std::string> service_promote_command;  // how repmgr promotes, when set
  std::optional<std::string> data_directory;
};

// Parses repmgr.conf text as repmgr does: `key=value` lines without sections, values optionally
// in single quotes (backslash escapes the next character inside them), `#` starts a comment
// outside quotes. The last occurrence of a key wins. Throws a usage error naming ORIGIN:line
// for a line without '=', an unterminated quote, or a node_id that is not a number.
RepmgrConfig parse_repmgr_config(std::string_view text, const std::string& origin);

// Reads repmgr.conf from PATH. Throws a usage error naming the file when it cannot be read or
// has no conninfo.
RepmgrConfig read_repmgr_config(const std::filesystem::path& path);

}  // namespace pgdeploy
