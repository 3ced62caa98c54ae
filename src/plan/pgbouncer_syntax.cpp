#include "plan/pgbouncer_syntax.hpp"

#include <algorithm>

namespace pgdeploy {
namespace {

constexpr std::size_t max_key_bytes = 63;  // PgBouncer's MAX_DBNAME - 1

bool is_ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_key_char(unsigned char c) { return is_ascii_alnum(c) || c == '_' || c == '.' || c == '-'; }

// Characters that never need quotes in a connection parameter value.
bool is_plain_value_char(unsigned char c) {
  return is_ascii_alnum(c) || c == '_' || c == '.' || c == '-' || c == ':' || c == '/';
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

bool is_representable_database(std::string_view name) {
  // '*' is a key PgBouncer accepts, but as the fallback for every unknown database: a real
  // database of that name must never become it.
  return !name.empty() && name.size() <= max_key_bytes && name != "pgbouncer" &&
         std::all_of(name.begin(), name.end(), [](char c) { return is_key_char(c); });
}

std::optional<std::string> format_value(std::string_view value) {
  if (value.empty() || std::any_of(value.begin(), value.end(), [](char c) {
        return is_control(static_cast<unsigned char>(c));
      })) {
    return std::nullopt;
  }
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return is_plain_value_char(static_cast<unsigned char>(c)); })) {
    return std::string(value);
  }
  std::string quoted = "'";
  for (const char c : value) {
    quoted += c;
    if (c == '\'') {
      quoted += '\'';
    }
  }
  return quoted + "'";
}

std::string comment_text(std::string_view text) {
  std::string safe(text);
  std::replace_if(
      safe.begin(), safe.end(), [](char c) { return is_control(static_cast<unsigned char>(c)); },
      '?');
  return safe;
}

std::vector<std::string> unrepresentable_databases(const std::vector<std::string>& names) {
  std::vector<std::string> rejected;
  std::copy_if(names.begin(), names.end(), std::back_inserter(rejected),
               [](const std::string& name) { return !is_representable_database(name); });
  return rejected;
}

}  // namespace pgdeploy
