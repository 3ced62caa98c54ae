#pragma once

#include <string>

namespace pgdeploy {

// Where a server listens, as PgBouncer needs it: one host name or address, and a port.
struct Endpoint {
  std::string host;
  int port = 5432;
  bool operator==(const Endpoint&) const = default;
};

// "host:port", as messages name an endpoint.
inline std::string describe(const Endpoint& endpoint) {
  return endpoint.host + ":" + std::to_string(endpoint.port);
}

}  // namespace pgdeploy
