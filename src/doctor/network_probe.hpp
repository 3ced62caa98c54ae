#pragma once

#include <netdb.h>

#include <memory>
#include <optional>
#include <string>

namespace pgdeploy {

// Probes for pgdeploy doctor, run before SSH so that a failure names its layer.

// What a name resolved to, or why it did not.
struct Resolution {
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses{nullptr, &freeaddrinfo};
  std::optional<std::string> problem;  // getaddrinfo's message; set when nothing resolved
};

// Resolves ADDRESS for TCP connections to PORT.
Resolution resolve(const std::string& address, int port);

// What stops a TCP connection to every address of RESOLVED within TIMEOUT_MS each;
// nullopt when one connects (it is closed at once). WHERE names the target in the message.
std::optional<std::string> connect_problem(const Resolution& resolved, const std::string& where,
                                           int timeout_ms);

}  // namespace pgdeploy
