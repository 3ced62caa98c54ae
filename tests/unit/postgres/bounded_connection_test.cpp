#include "postgres/bounded_connection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/loopback_port.hpp"

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;

// What a stopped postmaster looks like to a client: the handshake completes, then silence.
using SilentListener = test::LoopbackPort;

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
