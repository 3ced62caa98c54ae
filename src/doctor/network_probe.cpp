#include "doctor/network_probe.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pgdeploy {
namespace {

// The errno of a non-blocking connect to ADDRESS, waiting at most TIMEOUT_MS; 0 on success.
int connect_error(const addrinfo& address, int timeout_ms) {
  const int fd = socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        address.ai_protocol);
  if (fd < 0) {
    return errno;
  }
  int error = connect(fd, address.ai_addr, address.ai_addrlen) == 0 ? 0 : errno;
  if (error == EINPROGRESS) {
    pollfd waiting{fd, POLLOUT, 0};
    socklen_t length = sizeof error;
    error = poll(&waiting, 1, timeout_ms) == 1
                ? (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 ? error : errno)
                : ETIMEDOUT;
  }
  close(fd);
  return error;
}

}  // namespace

Resolution resolve(const std::string& address, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  Resolution resolved;
  if (const int error = getaddrinfo(address.c_str(), service.c_str(), &hints, &found); error != 0) {
    resolved.problem = "cannot resolve " + address + ": " + gai_strerror(error);
    return resolved;
  }
  resolved.addresses.reset(found);
  return resolved;
}

std::optional<std::string> connect_problem(const Resolution& resolved, const std::string& where,
                                           int timeout_ms) {
  int error = 0;
  for (const addrinfo* a = resolved.addresses.get(); a != nullptr; a = a->ai_next) {
    if ((error = connect_error(*a, timeout_ms)) == 0) {
      return std::nullopt;
    }
  }
  return "cannot connect to " + where + ": " + std::strerror(error);
}

}  // namespace pgdeploy
