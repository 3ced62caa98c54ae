#include "ssh/ssh_connector.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "support/local_process.hpp"
#include "support/loopback_port.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A key pair and an empty known_hosts in a directory of their own.
class SshConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-ssh.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    const auto keygen = test::run_process(
        {"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (dir / "key").string()}, "");
    ASSERT_EQ(keygen.status, 0) << keygen.err;
    std::ofstream(dir / "known_hosts");
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path dir;
};

TEST_F(SshConnectorTest, ARefusedConnectionNamesAddressAndPort) {
  const test::LoopbackPort closed(false);  // bound, not listening: connections are refused
  AppServer host;
  host.name = "app1";
  host.address = "127.0.0.1";
  host.ssh_port = closed.port();
  SshConnector ssh(dir / "key", dir / "known_hosts");
  HostDeadline deadline(TimeLimits::operations_only(std::chrono::seconds(2)));
  try {
    ssh.connect(host, deadline);
    FAIL() << "expected the connection to fail";
  } catch (const HostError& e) {
    EXPECT_EQ(e.step(), "connect");
    EXPECT_THAT(e.what(), HasSubstr("ssh to 127.0.0.1 port " + std::to_string(closed.port()) +
                                    ": Connection refused"));
  }
}

TEST(ConnectProblem, NamesAddressPortAndReason) {
  AppServer host;
  host.address = "10.0.0.5";
  host.ssh_port = 2222;
  EXPECT_EQ(connect_problem(host, "Timeout connecting to 10.0.0.5"),
            "ssh to 10.0.0.5 port 2222: Timeout connecting to 10.0.0.5");
}

}  // namespace
}  // namespace pgdeploy
