#include "postgres/bounded_connection.hpp"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;

// A TCP port on loopback that completes handshakes (the kernel's listen backlog) and never
// answers: what a stopped postmaster looks like to a client.
class SilentListener {
 public:
  SilentListener() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

TEST(BoundedConnection, GivesUpOnAServerThatNeverAnswersEvenWithConnectTimeoutZero) {
  const SilentListener server;
  const std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(server.port()) + " connect_timeout=0";
  const std::vector<const char*> keys{"dbname", nullptr};
  const std::vector<const char*> values{conninfo.c_str(), nullptr};
  const auto start = std::chrono::steady_clock::now();
  try {
    BoundedConnection(keys, values, std::chrono::seconds(1));
    FAIL() << "expected LibpqFailure";
  } catch (const LibpqFailure& e) {
    EXPECT_THAT(e.what(), HasSubstr("the server at 127.0.0.1:" + std::to_string(server.port()) +
                                    " did not answer within 1 s"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(BoundedConnection, ReportsARefusedConnectionWithLibpqsMessage) {
  int port = 0;
  {
    const SilentListener closed;  // a port that was free a moment ago
    port = closed.port();
  }
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port);
  const std::vector<const char*> keys{"dbname", nullptr};
  const std::vector<const char*> values{conninfo.c_str(), nullptr};
  try {
    BoundedConnection(keys, values, std::chrono::seconds(5));
    FAIL() << "expected LibpqFailure";
  } catch (const LibpqFailure& e) {
    EXPECT_THAT(e.what(), HasSubstr("Connection refused"));
  }
}

}  // namespace
}  // namespace pgdeploy
