#include "postgres/conninfo.hpp"

#include <libpq-fe.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <utility>

#include "util/text.hpp"

namespace pgdeploy {
namespace {

using OptionsPtr = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

int parse_port(const std::string& text) {
  const int port = parse_number<int>(text).value_or(0);
  if (port < 1 || port > 65535) {
    throw std::invalid_argument("invalid port \"" + text + "\"");
  }
  return port;
}

std::string value_or_empty(const ConnInfo& conninfo, const std::string& key) {
  const auto found = conninfo.find(key);
  return found == conninfo.end() ? std::string() : found->second;
}

}  // namespace

namespace {

bool looks_like_conninfo(std::string_view quoted) {
  return quoted.find('=') != std::string_view::npos || quoted.find('@') != std::string_view::npos ||
         quoted.find("://") != std::string_view::npos;
}

// Replaces the double-quoted parts of TEXT for which SECRET says so by "...".
template <typename Predicate>
std::string scrub_quoted(const std::string& text, Predicate secret) {
  std::string scrubbed;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t open = text.find('"', pos);
    const std::size_t close = open == std::string::npos ? open : text.find('"', open + 1);
    if (close == std::string::npos) {
      scrubbed += text.substr(pos);
      break;
    }
    scrubbed += text.substr(pos, open - pos);
    const std::string_view inner(text.data() + open + 1, close - open - 1);
    scrubbed += secret(inner) ? std::string("\"...\"") : text.substr(open, close - open + 1);
    pos = close + 1;
  }
  while (!scrubbed.empty() && (scrubbed.back() == '\n' || scrubbed.back() == ' ')) {
    scrubbed.pop_back();
  }
  return scrubbed;
}

}  // namespace

namespace {

// What is wrong with a conninfo libpq cannot parse, in words of our own: libpq's messages quote
// the offending token or the whole URI, and a password written without its keyword is such a
// token.
std::string parse_problem(const char* libpq_message) {
  static constexpr std::array<std::pair<const char*, const char*>, 6> problems{{
      {"missing \"=\" after", "missing \"=\" after a keyword"},
      {"unterminated quoted string", "unterminated quoted string"},
      {"invalid connection option", "unknown keyword"},
      {"percent-encoded", "invalid percent-encoding"},
      {"URI", "invalid URI"},
      {"out of memory", "out of memory"},
  }};
  const std::string_view message = libpq_message != nullptr ? libpq_message : "out of memory";
  for (const auto& [libpq_words, ours] : problems) {
    if (message.find(libpq_words) != std::string_view::npos) {
      return std::string("invalid connection string: ") + ours;
    }
  }
  return "invalid connection string";
}

}  // namespace

bool is_connection_string(std::string_view text) {
  return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0 ||
         text.find('=') != std::string_view::npos;
}

ConnInfo parse_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  OptionsPtr options(PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (!options) {
    const std::string problem = parse_problem(error);
    PQfreemem(error);
    throw std::invalid_argument(problem);
  }
  ConnInfo result;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr) {
      result.emplace(option->keyword, option->val);
    }
  }
  return result;
}

namespace {

// The host (or hostaddr) a conninfo names, when it names one.
std::string named_host(const ConnInfo& conninfo) {
  // hostaddr is the address libpq really connects to; host may only name it.
  std::string host = value_or_empty(conninfo, "hostaddr");
  return host.empty() ? value_or_empty(conninfo, "host") : host;
}

void require_one_tcp_host(const std::string& host) {
  if (host.find(',') != std::string::npos) {
    throw std::invalid_argument("conninfo names several hosts (" + host + ")");
  }
  if (host.front() == '/' || host.front() == '@') {
    throw std::invalid_argument("conninfo names a Unix socket (" + host +
                                "), which application servers cannot reach");
  }
}

}  // namespace

Endpoint endpoint_of(const ConnInfo& conninfo) {
  const std::string host = named_host(conninfo);
  if (host.empty()) {
    throw std::invalid_argument("conninfo names no host");
  }
  require_one_tcp_host(host);
  Endpoint endpoint{host, 5432};
  if (const std::string port = value_or_empty(conninfo, "port"); !port.empty()) {
    endpoint.port = parse_port(port);
  }
  return endpoint;
}

void check_named_host(const ConnInfo& conninfo) {
  if (const std::string host = named_host(conninfo); !host.empty()) {
    require_one_tcp_host(host);
  }
}

namespace {

// A conninfo value in single quotes, with libpq's backslash escapes.
std::string quoted_value(const std::string& value) {
  std::string quoted = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') {
      quoted += '\\';
    }
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

std::string with_endpoint(const std::string& conninfo, const Endpoint& endpoint) {
  ConnInfo parsed = parse_conninfo(conninfo);
  parsed.erase("hostaddr");
  parsed["host"] = endpoint.host;
  parsed["port"] = std::to_string(endpoint.port);
  std::string text;
  for (const auto& [key, value] : parsed) {
    text += (text.empty() ? "" : " ") + key + "=" + quoted_value(value);
  }
  return text;
}

std::string redact_conninfo(const std::string& conninfo) {
  ConnInfo parsed;
  try {
    parsed = parse_conninfo(conninfo);
  } catch (const std::invalid_argument&) {
    return "(unparsable conninfo)";
  }
  std::string text;
  for (const auto& [key, value] : parsed) {
    if (!text.empty()) {
      text += ' ';
    }
    text += key + "=" + (key == "password" ? std::string("********") : value);
  }
  return text;
}

std::string scrub_libpq_message(const char* message) {
  return scrub_quoted(message != nullptr ? message : "", looks_like_conninfo);
}

}  // namespace pgdeploy
