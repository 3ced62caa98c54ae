#include "pgdeploy/conninfo.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <memory>
#include <stdexcept>

namespace pgdeploy {
namespace {

using OptionsPtr = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

int parse_port(const std::string& text) {
  int port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (error != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) {
    throw std::invalid_argument("invalid port \"" + text + "\"");
  }
  return port;
}

std::string value_or_empty(const ConnInfo& conninfo, const std::string& key) {
  const auto found = conninfo.find(key);
  return found == conninfo.end() ? std::string() : found->second;
}

}  // namespace

ConnInfo parse_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  OptionsPtr options(PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    throw std::invalid_argument(message);
  }
  ConnInfo result;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr) {
      result.emplace(option->keyword, option->val);
    }
  }
  return result;
}

Endpoint endpoint_of(const ConnInfo& conninfo) {
  // hostaddr is the address libpq really connects to; host may only name it.
  std::string host = value_or_empty(conninfo, "hostaddr");
  if (host.empty()) {
    host = value_or_empty(conninfo, "host");
  }
  if (host.empty()) {
    throw std::invalid_argument("conninfo names no host");
  }
  if (host.find(',') != std::string::npos) {
    throw std::invalid_argument("conninfo names several hosts (" + host + ")");
  }
  if (host.front() == '/' || host.front() == '@') {
    throw std::invalid_argument("conninfo names a Unix socket (" + host +
                                "), which application servers cannot reach");
  }
  Endpoint endpoint{host, 5432};
  if (const std::string port = value_or_empty(conninfo, "port"); !port.empty()) {
    endpoint.port = parse_port(port);
  }
  return endpoint;
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

}  // namespace pgdeploy
