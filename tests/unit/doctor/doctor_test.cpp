#include "doctor/doctor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fakes.hpp"
#include "support/samples.hpp"

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// pgdeploy doctor from the metadata to its checklist, with fakes for every server. The one app
// server is disabled: no network probe runs.
class RunDoctorTest : public ::testing::Test {
 protected:
  ExitCode run() {
    world.options.command = Command::doctor;
    return run_doctor(world.options, {}, world.servers.opener(), world.ssh_loader(), world.admin,
                      world.out);
  }

  test::ReadOnlyWorld world{{{"app2", "10.0.0.6", {}, false}}};
};

TEST_F(RunDoctorTest, ChecksWithTheGivenConnectorsAndReadsNoSecret) {
  EXPECT_EQ(run(), ExitCode::ok) << world.out.str();
  const std::string out = world.out.str();
  EXPECT_EQ(world.loaded, std::vector<std::string>{"/keys/deploy /keys/known_hosts"});
  EXPECT_THAT(out, HasSubstr("[PASS] metadata: primary reachable and not in recovery: "
                             "10.0.0.12:5432, timeline 10\n"));
  EXPECT_THAT(out,
              HasSubstr("[PASS] ssh: key and known_hosts load: /keys/deploy, /keys/known_hosts\n"));
  EXPECT_THAT(out,
              HasSubstr("[skip] app2 (10.0.0.6): enabled: disabled in app_servers: not checked\n"));
  EXPECT_THAT(world.metadata.queries_containing("pg_shadow"), IsEmpty());
  EXPECT_THAT(world.ssh.connected, IsEmpty());
}

TEST_F(RunDoctorTest, AnSshSetupThatCannotLoadIsAFailedItem) {
  world.ssh_failure = "cannot read the SSH key /keys/deploy";
  EXPECT_EQ(run(), ExitCode::host_failed);
  EXPECT_THAT(world.out.str(),
              HasSubstr("[FAIL] ssh: key and known_hosts load: cannot read the SSH key "
                        "/keys/deploy\n"));
}

}  // namespace
}  // namespace pgdeploy
