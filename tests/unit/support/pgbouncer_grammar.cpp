#include "support/pgbouncer_grammar.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace pgdeploy::grammar {
namespace {

constexpr std::size_t max_key_bytes = 63;  // PgBouncer 1.18: MAX_DBNAME (64) - 1
constexpr long max_port = 65535;

// Every key loader.c's parse_database() understands in 1.18; anything else fails the load.
constexpr std::array<std::string_view, 16> connection_parameters{"dbname",
                                                                 "host",
                                                                 "port",
                                                                 "user",
                                                                 "password",
                                                                 "auth_user",
                                                                 "client_encoding",
                                                                 "datestyle",
                                                                 "timezone",
                                                                 "pool_size",
                                                                 "min_pool_size",
                                                                 "reserve_pool",
                                                                 "max_db_connections",
                                                                 "pool_mode",
                                                                 "connect_query",
                                                                 "application_name"};

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool is_key_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::string hex_byte(unsigned char c) {
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "0x%02x", static_cast<unsigned>(c));
  return buffer.data();
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// Why VALUE is not a port PgBouncer may be given, or nullopt.
std::optional<std::string> port_error(std::string_view value) {
  if (value.empty() ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "port " + quoted(value) + " is not a decimal number";
  }
  long port = 0;
  for (const char c : value) {
    port = port * 10 + (c - '0');
    if (port > max_port) {
      return "port " + quoted(value) + " is out of range 1..65535";
    }
  }
  if (port == 0) {
    return "port " + quoted(value) + " is out of range 1..65535";
  }
  return std::nullopt;
}

// Reads one database line (already known to hold no control character and not to be a
// comment) into KEY and PARAMETERS; returns why it is rejected, or nullopt.
std::optional<std::string> parse_database_line(std::string_view line, std::string& key,
                                               Parameters& parameters) {
  std::size_t p = 0;
  const auto skip_spaces = [&] {
    while (p < line.size() && line[p] == ' ') {
      ++p;
    }
  };

  while (p < line.size() && line[p] != ' ' && line[p] != '=') {
    ++p;
  }
  key = std::string(line.substr(0, p));
  if (key.empty()) {
    return "no database name at the start of the line";
  }
  if (auto error = key_error(key)) {
    return error;
  }
  skip_spaces();
  if (p >= line.size() || line[p] != '=') {
    return "expected '=' after database name " + quoted(key);
  }
  ++p;
  skip_spaces();
  if (p >= line.size()) {
    return "database " + quoted(key) + " has no connection parameters";
  }

  while (p < line.size()) {
    const std::size_t name_start = p;
    while (p < line.size() && line[p] != '=' && line[p] != ' ') {
      ++p;
    }
    const std::string name(line.substr(name_start, p - name_start));
    if (p >= line.size() || line[p] != '=') {
      return "expected '=' after connection parameter " + quoted(name);
    }
    if (name.empty()) {
      return "'=' without a connection parameter name";
    }
    if (!is_connection_parameter(name)) {
      return "unrecognized connection parameter " + quoted(name);
    }
    ++p;  // '='

    std::string value;
    if (p < line.size() && line[p] == '\'') {
      ++p;
      bool closed = false;
      while (p < line.size()) {
        if (line[p] == '\'') {
          if (p + 1 < line.size() && line[p + 1] == '\'') {
            value += '\'';
            p += 2;
            continue;
          }
          ++p;
          closed = true;
          break;
        }
        value += line[p++];
      }
      if (!closed) {
        return "unterminated quoted value of " + name;
      }
      if (p < line.size() && line[p] != ' ') {
        return "no space after the quoted value of " + name;
      }
    } else {
      const std::size_t value_start = p;
      while (p < line.size() && line[p] != ' ') {
        ++p;
      }
      value = std::string(line.substr(value_start, p - value_start));
      if (value.find('\'') != std::string::npos) {
        return "quote inside the unquoted value of " + name;
      }
    }
    if (value.empty()) {
      return "empty value of " + name;
    }
    if (name == "port") {
      if (auto error = port_error(value)) {
        return error;
      }
    }
    if (!parameters.emplace(name, std::move(value)).second) {
      return "connection parameter " + name + " given twice";
    }
    skip_spaces();
  }
  return std::nullopt;
}

}  // namespace

bool is_connection_parameter(std::string_view name) {
  return std::find(connection_parameters.begin(), connection_parameters.end(), name) !=
         connection_parameters.end();
}

std::optional<std::string> key_error(std::string_view key) {
  if (key.empty()) {
    return "empty database name";
  }
  if (key.size() > max_key_bytes) {
    return "database name of " + std::to_string(key.size()) + " bytes (at most 63)";
  }
  if (key.find('*') != std::string_view::npos) {
    return "database name " + quoted(key) + " holds '*': the fallback entry must never be set";
  }
  for (const char c : key) {
    if (!is_key_byte(static_cast<unsigned char>(c))) {
      return "byte " + hex_byte(static_cast<unsigned char>(c)) + " in database name " + quoted(key);
    }
  }
  if (key == "pgbouncer") {
    return "database name 'pgbouncer' is reserved for the admin console";
  }
  return std::nullopt;
}

FragmentResult check_fragment(std::string_view text) {
  if (text.empty()) {
    return FragmentError{1, "empty file: a fragment ends with '\\n'"};
  }
  ParsedFragment parsed;
  std::map<std::string, std::size_t> defined_on;  // key -> line number
  bool in_header = true;
  std::size_t start = 0;
  for (std::size_t number = 1; start < text.size(); ++number) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      return FragmentError{number, "the last line does not end with '\\n'"};
    }
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;

    for (std::size_t column = 0; column < line.size(); ++column) {
      const auto c = static_cast<unsigned char>(line[column]);
      if (is_control(c)) {
        return FragmentError{number, "control character " + hex_byte(c) + " at column " +
                                         std::to_string(column + 1)};
      }
    }
    if (line.empty() || line.front() == ';' || line.front() == '#') {
      parsed.comments.emplace_back(line);
      if (in_header) {
        parsed.header.emplace_back(line);
      }
      continue;
    }
    in_header = false;
    if (line.front() == '[') {
      return FragmentError{number, "section header in a fragment: " + std::string(line)};
    }
    if (line.front() == '%') {
      return FragmentError{number, "directive in a fragment: " + std::string(line)};
    }
    std::string key;
    Parameters parameters;
    if (auto error = parse_database_line(line, key, parameters)) {
      return FragmentError{number, std::move(*error)};
    }
    const auto [previous, inserted] = defined_on.emplace(key, number);
    if (!inserted) {
      return FragmentError{number, "database " + quoted(key) + " already defined on line " +
                                       std::to_string(previous->second)};
    }
    parsed.entries.emplace(std::move(key), std::move(parameters));
  }
  return parsed;
}

std::string describe(const FragmentResult& result) {
  if (const auto* error = std::get_if<FragmentError>(&result)) {
    return "line " + std::to_string(error->line) + ": " + error->message;
  }
  const auto& parsed = std::get<ParsedFragment>(result);
  std::string text = "valid fragment with " + std::to_string(parsed.entries.size()) +
                     " database(s) and " + std::to_string(parsed.comments.size()) +
                     " comment line(s)";
  for (const auto& [key, parameters] : parsed.entries) {
    text += "\n  " + key + ":";
    for (const auto& [name, value] : parameters) {
      text += " " + name + "=" + escaped(value);
    }
  }
  return text;
}

std::string escaped(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (byte >= 0x20 && byte < 0x7f) {
          out += c;
        } else {
          // Octal, always three digits: unlike \x, it cannot swallow a following digit.
          std::array<char, 8> buffer{};
          std::snprintf(buffer.data(), buffer.size(), "\\%03o", static_cast<unsigned>(byte));
          out += buffer.data();
        }
    }
  }
  return out + "\"";
}

}  // namespace pgdeploy::grammar
