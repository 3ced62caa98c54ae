#include "pgdeploy/fragment_file.hpp"

#include <charconv>

namespace pgdeploy {
namespace {

std::optional<int> number_at(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end != text.data() ? std::optional(value) : std::nullopt;
}

// "HOST:PORT" split at its last colon (an IPv6 host holds colons itself).
std::optional<Endpoint> endpoint_at(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  const auto port = number_at(text.substr(colon + 1));
  return port ? std::optional(Endpoint{std::string(text.substr(0, colon)), *port}) : std::nullopt;
}

// "; Primary: node N (NAME) at HOST:PORT"
void read_primary_line(std::string_view line, FragmentFile& file) {
  line.remove_prefix(std::string_view("; Primary: ").size());
  file.holder = std::string(line);
  if (!line.starts_with("node ")) {
    return;
  }
  line.remove_prefix(std::string_view("node ").size());
  file.primary_id = number_at(line);
  const std::size_t open = line.find(" (");
  const std::size_t at = line.rfind(") at ");
  if (open == std::string_view::npos || at == std::string_view::npos || at < open) {
    return;
  }
  file.primary_name = std::string(line.substr(open + 2, at - open - 2));
  file.target = endpoint_at(line.substr(at + 5));
}

// "; Epoch: timeline N, lsn X"
void read_epoch_line(std::string_view line, FragmentFile& file) {
  constexpr std::string_view prefix = "; Epoch: timeline ";
  line.remove_prefix(prefix.size());
  file.timeline = number_at(line);
  if (const std::size_t lsn = line.find(", lsn "); lsn != std::string_view::npos) {
    file.lsn = std::string(line.substr(lsn + 6));
  }
}

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
      route.target.port = number_at(parameter->second).value_or(0);
    } else if (parameter->first == "dbname") {
      route.dbname = parameter->second;
    }
  }
  return route;
}

}  // namespace

FragmentFile parse_fragment_file(std::string_view fragment) {
  FragmentFile file;
  bool primary_seen = false;
  bool epoch_seen = false;
  while (!fragment.empty()) {
    const std::size_t end = std::min(fragment.find('\n'), fragment.size());
    const std::string_view line = fragment.substr(0, end);
    fragment.remove_prefix(std::min(end + 1, fragment.size()));
    if (line.starts_with("; Primary: ") && !primary_seen) {
      primary_seen = true;
      read_primary_line(line, file);
    } else if (line.starts_with("; Epoch: timeline ") && !epoch_seen) {
      epoch_seen = true;
      read_epoch_line(line, file);
    } else if (!line.starts_with(';') && !line.starts_with('#')) {
      if (auto route = route_at(line)) {
        file.routes.push_back(std::move(*route));
      }
    }
  }
  return file;
}

std::string describe_holder(const FragmentFile& file) {
  if (!file.primary_id) {
    return "(no pgdeploy header)";
  }
  std::string text = file.holder;
  if (file.timeline) {
    text += ", timeline " + std::to_string(*file.timeline);
  }
  return text;
}

}  // namespace pgdeploy
