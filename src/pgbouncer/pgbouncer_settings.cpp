#include "pgbouncer/pgbouncer_settings.hpp"

#include <array>
#include <map>
#include <optional>

#include "util/text.hpp"

namespace pgdeploy {
namespace {

// The key=value settings of INI's [pgbouncer] section, the last one of each key winning.
std::map<std::string, std::string> pgbouncer_section(std::string_view ini) {
  std::map<std::string, std::string> settings;
  bool in_section = false;
  for (const std::string_view each : split_lines(ini)) {
    const std::string line(trim(each));
    if (line.empty() || line.front() == ';' || line.front() == '#') {
      continue;
    }
    if (line.front() == '[') {
      in_section = line == "[pgbouncer]";
      continue;
    }
    const std::size_t equals = line.find('=');
    if (in_section && equals != std::string::npos) {
      settings[std::string(trim(std::string_view(line).substr(0, equals)))] =
          std::string(trim(std::string_view(line).substr(equals + 1)));
    }
  }
  return settings;
}

std::optional<double> number(const std::string& text) { return parse_number<double>(text); }

struct Rule {
  const char* name;
  const char* fallback;  // PgBouncer 1.18's default
  double most;           // the largest value that does not slow a failover
  bool zero_is_forever;  // 0 disables the timeout
  const char* recommended;
  const char* why;
};

constexpr std::array rules{
    Rule{"server_login_retry", "15", 2, false, "1",
         "after a failed connect to the old primary the pool waits this long before trying again"},
    Rule{"server_connect_timeout", "15", 5, false, "3",
         "a connect to a primary that does not answer waits this long"},
    Rule{"query_wait_timeout", "120", 30, true, "30",
         "a client waits this long for a server before it gets an error"},
};

}  // namespace

std::vector<SettingAdvice> failover_setting_advice(std::string_view ini) {
  const std::map<std::string, std::string> settings = pgbouncer_section(ini);
  std::vector<SettingAdvice> advice;
  for (const Rule& rule : rules) {
    const auto found = settings.find(rule.name);
    const std::string value = found == settings.end() ? rule.fallback : found->second;
    const std::optional<double> seconds = number(value);
    if (!seconds || *seconds > rule.most || (rule.zero_is_forever && *seconds == 0)) {
      advice.push_back({rule.name, value, rule.recommended, rule.why});
    }
  }
  const auto fast_close = settings.find("server_fast_close");
  const auto pool_mode = settings.find("pool_mode");
  const bool session_pooling = pool_mode == settings.end() || pool_mode->second == "session";
  if (session_pooling && (fast_close == settings.end() || fast_close->second != "1")) {
    advice.push_back({"server_fast_close", fast_close == settings.end() ? "0" : fast_close->second,
                      "1",
                      "in session pooling, server connections to a moved target stay until "
                      "their clients leave"});
  }
  return advice;
}

}  // namespace pgdeploy
