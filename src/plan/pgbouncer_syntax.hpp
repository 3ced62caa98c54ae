#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdeploy {

// PgBouncer 1.18's rules for [databases] lines, kept in one place.

// True when NAME can be a key of PgBouncer 1.18's [databases] section: 1 to 63 bytes of
// letters, digits, '_', '.', '-', and not the reserved admin database "pgbouncer".
bool is_representable_database(std::string_view name);

// VALUE written as PgBouncer reads connection parameters: unchanged when it holds only safe
// characters, else in single quotes with ' doubled. nullopt when it cannot be written: empty,
// or holding a control character (tab and newline are not separators PgBouncer understands).
std::optional<std::string> format_value(std::string_view value);

// TEXT made safe for a comment line: control characters become '?'.
std::string comment_text(std::string_view text);

// The names PgBouncer cannot represent, in the order given.
std::vector<std::string> unrepresentable_databases(const std::vector<std::string>& names);

}  // namespace pgdeploy
