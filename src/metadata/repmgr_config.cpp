#include "metadata/repmgr_config.hpp"

#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// The value after '=': quoted (escapes honoured, '#' literal) or bare (up to a comment).
std::string parse_value(std::string_view raw, const std::string& where) {
  raw = trim(raw);
  if (raw.empty() || raw.front() != '\'') {
    return std::string(trim(raw.substr(0, raw.find('#'))));
  }
  std::string value;
  for (std::size_t i = 1; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      value += raw[++i];
    } else if (raw[i] == '\'') {
      return value;
    } else {
      value += raw[i];
    }
  }
  throw usage_error(where + ": unterminated quoted value");
}

int parse_node_id(const std::string& value, const std::string& where) {
  const auto id = parse_number<int>(value);
  if (!id) {
    throw usage_error(where + ": node_id is not a number: " + value);
  }
  return *id;
}

void apply(RepmgrConfig& config, std::string_view key, std::string value,
           const std::string& where) {
  if (key == "conninfo") {
    config.conninfo = std::move(value);
  } else if (key == "node_id") {
    config.node_id = parse_node_id(value, where);
  } else if (key == "event_notification_command") {
    config.event_notification_command = std::move(value);
  } else if (key == "event_notifications") {
    config.event_notifications = std::move(value);
  } else if (key == "service_promote_command") {
    config.service_promote_command = std::move(value);
  } else if (key == "data_directory") {
    config.data_directory = std::move(value);
  }
}

}  // namespace

RepmgrConfig parse_repmgr_config(std::string_view text, const std::string& origin) {
  RepmgrConfig config;
  std::size_t line_number = 0;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    ++line_number;
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') {
      continue;
    }
    const std::string where = origin + ":" + std::to_string(line_number);
    const auto equals = content.find('=');
    if (equals == std::string_view::npos) {
      throw usage_error(where + ": expected key=value");
    }
    apply(config, trim(content.substr(0, equals)), parse_value(content.substr(equals + 1), where),
          where);
  }
  return config;
}

RepmgrConfig read_repmgr_config(const std::filesystem::path& path) {
  RepmgrConfig config =
      parse_repmgr_config(read_whole_file(path, "repmgr configuration"), path.string());
  if (!config.conninfo || config.conninfo->empty()) {
    throw usage_error("repmgr configuration " + path.string() + " has no conninfo");
  }
  return config;
}

}  // namespace pgdeploy
