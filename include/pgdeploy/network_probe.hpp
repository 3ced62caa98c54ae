#pragma once

#include <optional>
#include <string>

namespace pgdeploy {

// Probes for pgdeploy doctor, run before SSH so that a failure names its layer.

// What stops ADDRESS from resolving (getaddrinfo's message); nullopt when it resolves.
std::optional<std::string> resolve_problem(const std::string& address);

// What stops a TCP connection to ADDRESS:PORT within TIMEOUT_SECONDS, trying every address it
// resolves to; nullopt when one connects (it is closed at once).
std::optional<std::string> connect_problem(const std::string& address, int port,
                                           int timeout_seconds);

}  // namespace pgdeploy
