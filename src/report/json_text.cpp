#include "report/json_text.hpp"

namespace pgdeploy {
namespace {

// A string, number, boolean or null as JSON. The only place that calls dump(): names, reasons
// and diffs come from the database, remote files and remote commands, so any byte may be in
// them. UTF-8 passes through as it is; a byte that is not UTF-8 becomes U+FFFD, which keeps the
// text valid JSON and still shows that something was there (dump's default throws instead).
std::string scalar_text(const ordered_json& value) {
  return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// KEY and VALUE as an object's member.
std::string member_text(const std::string& key, const std::string& value_text) {
  return scalar_text(ordered_json(key)) + ": " + value_text;
}

// ARRAY's elements, each on a line of its own indented by four.
std::string element_lines(const ordered_json& array) {
  std::string text;
  for (const ordered_json& element : array) {
    text += (text.empty() ? "[\n    " : ",\n    ") + to_json_text(element);
  }
  return text + "\n  ]";
}

}  // namespace

// dump() has no one-line form with a space after ':' and ','; the reports have always had one,
// and users grep them, so containers are written here and only their scalars by dump().
std::string to_json_text(const ordered_json& value) {
  if (value.is_object()) {
    std::string text;
    for (const auto& member : value.items()) {
      text += (text.empty() ? "{" : ", ") + member_text(member.key(), to_json_text(member.value()));
    }
    return text.empty() ? "{}" : text + "}";
  }
  if (value.is_array()) {
    std::string text;
    for (const ordered_json& element : value) {
      text += (text.empty() ? "[" : ", ") + to_json_text(element);
    }
    return text.empty() ? "[]" : text + "]";
  }
  return scalar_text(value);
}

std::string to_json_lines(const ordered_json& object) {
  std::string text;
  for (const auto& member : object.items()) {
    const ordered_json& value = member.value();
    text += (text.empty() ? "{\n  " : ",\n  ") +
            member_text(member.key(), value.is_array() && !value.empty() ? element_lines(value)
                                                                         : to_json_text(value));
  }
  return text.empty() ? "{}\n" : text + "\n}\n";
}

}  // namespace pgdeploy
