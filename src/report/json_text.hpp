#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pgdeploy {

// Every JSON document pgdeploy prints (deploy --json, status --json, doctor --json) is built as
// an ordered_json, whose members keep the order they were added in: the documented order.
using ordered_json = nlohmann::ordered_json;

// VALUE on one line: {"key": value, "key": value}, [a, b], strings as UTF-8 with an invalid
// byte replaced by U+FFFD. Never throws on any string content.
std::string to_json_text(const ordered_json& value);

// OBJECT over lines, ending with a newline: each member on a line of its own indented by two,
// the elements of a non-empty array member each on a line indented by four, anything deeper
// on one line as to_json_text writes it.
std::string to_json_lines(const ordered_json& object);

}  // namespace pgdeploy
