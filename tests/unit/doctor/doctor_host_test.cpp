#include "doctor/doctor_host.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/host_steps.hpp"
#include "model/app_server.hpp"
#include "support/checks.hpp"
#include "support/fakes.hpp"
#include "support/loopback_port.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {
namespace {

using test::FakeAdminConnector;
using test::FakeHostConnector;
using test::fragment_read;
using test::InstallerBehaviour;
using test::LoopbackPort;
using test::marks;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

DeployPlan sample_plan() {
  return {"main",
          {1, "node1", "host=10.0.0.11"},
          {"10.0.0.11", 5432},
          {3, "0/5000060", "7301"},
          {"app", "postgres"},
          true};
}

InstallerBehaviour prints(std::vector<std::string> lines, int status = 0, std::string errors = "") {
  InstallerBehaviour behaviour;
  behaviour.stdout_lines = std::move(lines);
  behaviour.exit_status = status;
  behaviour.errors = std::move(errors);
  return behaviour;
}

constexpr const char* ini_including_the_fragment =
    "[databases]\n%include /etc/pgbouncer/databases/main.ini\n[pgbouncer]\n"
    "server_login_retry = 1\n";

// A host whose every step works unless a test breaks one: config_dir writable, pgbouncer.ini
// includes the fragment, the fragment in place is loaded, the console has admin rights.
class HostDoctorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host.id = 101;
    host.name = "app1";
    host.address = "127.0.0.1";
    host.ssh_port = ssh_port.port();
    host.admin_conninfo = "host=127.0.0.1 port=6432 dbname=pgbouncer";
    ssh.on_command(".pgdeploy-doctor", prints({}));
    ssh.on_command("is not readable by", prints({ini_including_the_fragment}));
    ssh.on_command("echo present", prints(fragment_read(render_for(sample_plan(), host))));
    admin.databases = {{"app", "10.0.0.11", 5432, "app"},
                       {"postgres", "10.0.0.11", 5432, "postgres"}};
  }

  std::vector<CheckItem> check() {
    return HostDoctor("main", &ssh, "/keys/known_hosts", admin, TimeLimits{}).check(host);
  }

  // The item named ITEM; fails the test when there is none.
  static CheckItem item(const std::vector<CheckItem>& items, const std::string& name) {
    for (const CheckItem& found : items) {
      if (found.item == name) {
        return found;
      }
    }
    ADD_FAILURE() << "no item " << name;
    return {};
  }

  // The doctor's port probe connects to it; SSH itself is the fake's.
  LoopbackPort ssh_port;
  AppServer host;
  FakeHostConnector ssh;
  FakeAdminConnector admin;
};

TEST_F(HostDoctorTest, AWorkingHostPassesEveryStep) {
  const std::vector<CheckItem> items = check();
  EXPECT_THAT(
      marks(items),
      ElementsAre("PASS app_servers row usable", "PASS address resolves", "PASS SSH port open",
                  "PASS host key known and matching", "PASS SSH authentication",
                  "PASS config_dir writable", "PASS PgBouncer includes the fragment",
                  "WARN PgBouncer settings for a fast failover",
                  "PASS reload works without a prompt", "PASS PgBouncer serves the fragment",
                  "PASS sessions move at once after a failover"));
  EXPECT_EQ(item(items, "PgBouncer serves the fragment").detail,
            "2 databases as in /etc/pgbouncer/databases/main.ini");
  EXPECT_EQ(item(items, "reload works without a prompt").detail,
            "admin console: PgBouncer 1.18.0, admin rights");
  EXPECT_EQ(admin.reloads, 0);
  for (const auto& command : ssh.commands) {
    EXPECT_EQ(command->input, "") << "the doctor sent something to " << command->text;
  }
}

TEST_F(HostDoctorTest, AnUnknownHostKeyIsNamedAndTheStepsThatNeedSshAreSkipped) {
  ssh.fail_connect("host key", "the host key of 127.0.0.1 is not in /keys/known_hosts");
  const std::vector<CheckItem> items = check();
  EXPECT_THAT(
      marks(items),
      ElementsAre("PASS app_servers row usable", "PASS address resolves", "PASS SSH port open",
                  "FAIL host key known and matching", "skip SSH authentication",
                  "skip config_dir writable", "skip PgBouncer includes the fragment",
                  "PASS reload works without a prompt", "skip PgBouncer serves the fragment",
                  "PASS sessions move at once after a failover"));
  EXPECT_THAT(
      item(items, "host key known and matching").fix,
      HasSubstr("ssh-keyscan -p " + std::to_string(host.ssh_port) +
                " 127.0.0.1` shows with the server's own, then put it in /keys/known_hosts"));
}

TEST_F(HostDoctorTest, ARefusedLoginPassesTheHostKeyAndNamesAuthentication) {
  ssh.fail_connect("auth", "public key refused for postgres");
  const std::vector<CheckItem> items = check();
  EXPECT_EQ(item(items, "host key known and matching").mark, Mark::pass);
  EXPECT_EQ(item(items, "SSH authentication").mark, Mark::fail);
  EXPECT_THAT(item(items, "SSH authentication").fix,
              HasSubstr("~postgres/.ssh/authorized_keys on app1"));
  EXPECT_EQ(item(items, "config_dir writable").mark, Mark::skip);
}

TEST_F(HostDoctorTest, AClosedPortStopsBeforeSsh) {
  const LoopbackPort closed(false);
  host.ssh_port = closed.port();
  const std::vector<CheckItem> items = check();
  EXPECT_EQ(item(items, "SSH port open").mark, Mark::fail);
  EXPECT_EQ(item(items, "host key known and matching").mark, Mark::skip);
  EXPECT_THAT(ssh.connected, IsEmpty());
}

TEST_F(HostDoctorTest, AnUnusableRowIsTheOnlyItem) {
  host.invalid_reason = "ip_addr is empty";
  const std::vector<CheckItem> items = check();
  EXPECT_THAT(marks(items), ElementsAre("FAIL app_servers row usable"));
  EXPECT_THAT(ssh.connected, IsEmpty());
  EXPECT_THAT(admin.conninfos, IsEmpty());
}

TEST_F(HostDoctorTest, AMissingConfigDirIsNamedWithHowToCreateIt) {
  ssh.on_command(".pgdeploy-doctor",
                 prints({}, 1, "/etc/pgbouncer/databases does not exist or is not a directory\n"));
  const CheckItem config_dir = item(check(), "config_dir writable");
  EXPECT_EQ(config_dir.mark, Mark::fail);
  EXPECT_EQ(config_dir.detail, "/etc/pgbouncer/databases does not exist or is not a directory");
  EXPECT_EQ(config_dir.fix,
            "create it: sudo install -d -o postgres -m 0755 /etc/pgbouncer/databases");
}

TEST_F(HostDoctorTest, AnIniWithoutTheIncludeIsNamed) {
  ssh.on_command("is not readable by", prints({"[databases]", "[pgbouncer]"}));
  const CheckItem include = item(check(), "PgBouncer includes the fragment");
  EXPECT_EQ(include.mark, Mark::fail);
  EXPECT_EQ(include.detail,
            "/etc/pgbouncer/pgbouncer.ini has no `%include /etc/pgbouncer/databases/main.ini`");
}

TEST_F(HostDoctorTest, AnUnreachableConsoleFailsTheReloadAndSkipsTheLiveCheck) {
  admin.fail_connect("connection refused");
  const std::vector<CheckItem> items = check();
  EXPECT_EQ(item(items, "reload works without a prompt").mark, Mark::fail);
  EXPECT_EQ(item(items, "reload works without a prompt").detail,
            "admin console: cannot connect: connection refused");
  EXPECT_EQ(item(items, "PgBouncer serves the fragment").mark, Mark::skip);
}

TEST_F(HostDoctorTest, PgBouncerServingAnotherPrimaryFailsTheLiveCheck) {
  admin.databases = {{"app", "10.0.0.12", 5432, "app"},
                     {"postgres", "10.0.0.12", 5432, "postgres"}};
  const CheckItem live = item(check(), "PgBouncer serves the fragment");
  EXPECT_EQ(live.mark, Mark::fail);
  EXPECT_THAT(live.detail, HasSubstr("10.0.0.12:5432"));
}

TEST_F(HostDoctorTest, AStatsOnlyConsoleUserCannotReload) {
  admin.admin_rights = false;
  const CheckItem reload = item(check(), "reload works without a prompt");
  EXPECT_EQ(reload.mark, Mark::fail);
  EXPECT_THAT(reload.fix, HasSubstr("admin_users in /etc/pgbouncer/pgbouncer.ini"));
}

TEST_F(HostDoctorTest, WithoutSshEveryRemoteStepIsSkipped) {
  const std::vector<CheckItem> items =
      HostDoctor("main", nullptr, "/keys/known_hosts", admin, TimeLimits{}).check(host);
  EXPECT_EQ(item(items, "host key known and matching").detail,
            "the SSH key or known_hosts could not be loaded");
  EXPECT_EQ(item(items, "PgBouncer serves the fragment").mark, Mark::skip);
}

}  // namespace
}  // namespace pgdeploy
