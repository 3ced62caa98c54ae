#include "plan/fragment_file.hpp"

#include "util/text.hpp"

namespace pgdeploy {
namespace {

// The next "key=value" of a connection string at TEXT, consuming it; a value may be in single
// quotes with '' for a quote, as format_value writes it.
std::optional<std::pair<std::string, std::string>> next_parameter(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  const std::size_t equals = text.find('=');
  if (text.empty() || equals == std::string_view::npos) {
    return std::nullopt;
  }
  std::string key(text.substr(0, equals));
  text.remove_prefix(equals + 1);
  std::string value;
  if (!text.empty() && text.front() == '\'') {
    std::size_t i = 1;
    for (; i < text.size(); ++i) {
      if (text[i] == '\'' && (i + 1 >= text.size() || text[i + 1] != '\'')) {
        break;
      }
      value += text[i];
      i += text[i] == '\'' ? 1 : 0;
    }
    text.remove_prefix(std::min(i + 1, text.size()));
  } else {
    const std::size_t end = std::min(text.find(' '), text.size());
    value = std::string(text.substr(0, end));
    text.remove_prefix(end);
  }
  return std::pair(std::move(key), std::move(value));
}

// "key = host=H port=P dbname=D ..."; nullopt for anything else.
std::optional<Route> route_at(std::string_view line) {
  const std::size_t equals = line.find(" = ");
  if (equals == std::string_view::npos || equals == 0) {
    return std::nullopt;
  }
  Route route{std::string(line.substr(0, equals)), "", {"", 0}};
  std::string_view parameters = line.substr(equals + 3);
  while (const auto parameter = next_parameter(parameters)) {
    if (parameter->first == "host") {
      route.target.host = parameter->second;
    } else if (parameter->first == "port") {
      route.target.port = leading_number(parameter->second).value_or(0);
    } else if (parameter->first == "dbname") {
      route.dbname = parameter->second;
    }
  }
  return route;
}

}  // namespace

FragmentFile parse_fragment_file(std::string_view fragment) {
  FragmentFile file{parse_header(fragment), {}};
  for (const std::string_view line : split_lines(fragment)) {
    if (!line.starts_with(';') && !line.starts_with('#')) {
      if (auto route = route_at(line)) {
        file.routes.push_back(std::move(*route));
      }
    }
  }
  return file;
}

}  // namespace pgdeploy
