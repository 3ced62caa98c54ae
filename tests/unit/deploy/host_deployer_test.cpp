#include "deploy/host_deployer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "model/app_server.hpp"
#include "plan/fragment.hpp"
#include "ssh/remote_install.hpp"
#include "support/fakes.hpp"
#include "support/local_process.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using test::FakeAdminConnector;
using test::FakeHostConnector;
using test::Journal;
using test::LocalShellConnector;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

DeployPlan sample_plan() {
  return {"main",
          {1, "node1", "host=10.0.0.11 user=repmgr"},
          {"10.0.0.11", 5432},
          {3, "0/5000060", "7301"},
          {"app", "postgres"},
          true};
}

// The installer request a deploy of sample_plan() to the default host sends.
InstallRequest expected_request(std::size_t size, std::optional<std::string> reload_command) {
  InstallRequest request;
  request.config_dir = "/etc/pgbouncer/databases";
  request.file_name = "main.ini";
  request.size = size;
  request.timeline = 3;
  request.node_id = 1;
  request.system_identifier = "7301";
  request.reload_command = std::move(reload_command);
  return request;
}

AppServer sample_host() {
  AppServer host;
  host.id = 101;
  host.name = "app1";
  host.address = "10.0.0.5";
  return host;
}

std::vector<RoutedDatabase> routed_to(const std::string& host, int port) {
  return {{"app", host, port, "app"}, {"postgres", host, port, "postgres"}};
}

// The position of ENTRY in JOURNAL; fails the test when it is not there.
std::size_t position(const Journal& journal, const std::string& entry, std::size_t from = 0) {
  for (std::size_t i = from; i < journal.size(); ++i) {
    if (journal[i] == entry) {
      return i;
    }
  }
  ADD_FAILURE() << "journal has no \"" << entry << "\"";
  return journal.size();
}

class HostDeployerTest : public ::testing::Test {
 protected:
  std::string expected_fragment() const {
    return render_fragment({plan.cluster, plan.primary.id, plan.primary.name, plan.target,
                            plan.epoch, plan.databases, host.application_name});
  }

  HostOutcome deploy() { return HostDeployer(plan, ssh, admin).deploy(host); }

  // Like the real installer: "installed" once the file is in place, then it waits for "commit".
  void SetUp() override { ssh.installer_awaits_verdict(); }

  // The file in place already says the same: "unchanged", and the installer ends.
  void installer_finds_the_file_unchanged() {
    ssh.installer.stdout_lines = {"unchanged"};
    ssh.installer.answers_verdict = false;
    ssh.installer.exit_status = 0;
  }

  DeployPlan plan = sample_plan();
  AppServer host = sample_host();
  std::shared_ptr<Journal> journal = std::make_shared<Journal>();
  FakeHostConnector ssh{journal};
  FakeAdminConnector admin{journal};
};

// ---- reload over SSH (no admin_conninfo) -------------------------------------------------------

TEST_F(HostDeployerTest, ReloadPathWritesTheFragmentThenCommitAndClosesInput) {
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::updated) << outcome.reason;
  EXPECT_EQ(outcome.reason, "");
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_EQ(ssh.commands[0]->input, expected_fragment() + "commit\n");
  EXPECT_TRUE(ssh.commands[0]->input_closed);
  EXPECT_TRUE(ssh.commands[0]->waited);
  EXPECT_LT(position(*journal, "close input"), position(*journal, "wait"));
}

TEST_F(HostDeployerTest, ReloadPathRunsInstallScriptWithDefaultReloadCommand) {
  deploy();
  ASSERT_EQ(ssh.commands.size(), 1U);
  const std::string& command = ssh.commands[0]->text;
  EXPECT_EQ(command, install_script(expected_request(expected_fragment().size(),
                                                     "sudo -n service pgbouncer reload")));
  EXPECT_THAT(command, HasSubstr("dir='/etc/pgbouncer/databases'"));
  EXPECT_THAT(command, HasSubstr("file='main.ini'"));
}

TEST_F(HostDeployerTest, CommandQuotesConfigDirAndUsesConfiguredReload) {
  host.config_dir = "/srv/pgbouncer/it's here";
  host.reload_command = "systemctl reload pgbouncer";
  deploy();
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_THAT(ssh.commands[0]->text, HasSubstr("dir=" + shell_quote(host.config_dir) + " "));
  EXPECT_THAT(ssh.commands[0]->text, HasSubstr("\nsystemctl reload pgbouncer\n"));
  EXPECT_THAT(ssh.commands[0]->text, Not(HasSubstr("sudo")));
}

TEST_F(HostDeployerTest, FragmentCarriesTheHostsApplicationName) {
  host.application_name = "billing app";
  deploy();
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_THAT(ssh.commands[0]->input, HasSubstr("application_name='billing app'"));
}

TEST_F(HostDeployerTest, ConnectsToTheHostOnce) {
  deploy();
  EXPECT_THAT(ssh.connected, ElementsAre("app1"));
  EXPECT_THAT(admin.conninfos, IsEmpty());
}

TEST_F(HostDeployerTest, OutcomeNamesTheHost) {
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.name, "app1");
  EXPECT_EQ(outcome.address, "10.0.0.5");
}

class HostDeployerConnectFailure : public HostDeployerTest,
                                   public ::testing::WithParamInterface<std::string> {};

TEST_P(HostDeployerConnectFailure, FailsWithReasonStartingWithStep) {
  ssh.fail_connect(GetParam(), "it did not work");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason, GetParam() + ": it did not work");
  EXPECT_THAT(ssh.commands, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Steps, HostDeployerConnectFailure,
                         ::testing::Values("connect", "host key", "auth"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), ' ', '_');
                           return name;
                         });

struct StatusCase {
  int status;
  std::string step;
};

void PrintTo(const StatusCase& c, std::ostream* os) { *os << c.status << " -> " << c.step; }

class HostDeployerInstallerStatus : public HostDeployerTest,
                                    public ::testing::WithParamInterface<StatusCase> {};

TEST_P(HostDeployerInstallerStatus, NamesTheFailedStep) {
  ssh.installer_exits(GetParam().status, "what went wrong\n");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason, GetParam().step + ": what went wrong");
}

INSTANTIATE_TEST_SUITE_P(Statuses, HostDeployerInstallerStatus,
                         ::testing::Values(StatusCase{10, "write"}, StatusCase{11, "transfer"},
                                           StatusCase{12, "reload"}, StatusCase{13, "rollback"},
                                           StatusCase{1, "install"}, StatusCase{127, "install"}),
                         [](const ::testing::TestParamInfo<StatusCase>& param_info) {
                           return "status" + std::to_string(param_info.param.status) + "_" +
                                  param_info.param.step;
                         });

TEST_F(HostDeployerTest, ReloadFailureReasonStartsWithReload) {
  ssh.installer_exits(install_reload_failed,
                      "Job for pgbouncer.service failed.\n"
                      "reload command failed; the previous file is back in place\n");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason,
            "reload: Job for pgbouncer.service failed.; "
            "reload command failed; the previous file is back in place");
}

TEST_F(HostDeployerTest, UnchangedFragmentIsNeitherCommittedNorReloaded) {
  installer_finds_the_file_unchanged();
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::unchanged) << outcome.reason;
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_EQ(ssh.commands[0]->input, expected_fragment()) << "no commit for an unchanged file";
  EXPECT_TRUE(ssh.commands[0]->input_closed);
}

TEST_F(HostDeployerTest, NewerTimelineOnTheHostIsRefusedNamingBothPrimaries) {
  ssh.installer_exits(install_refused,
                      "/etc/pgbouncer/databases/main.ini is held by the primary node 2 (node2) at "
                      "10.0.0.12:5432 on timeline 4, newer than 3\n");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::refused);
  EXPECT_THAT(outcome.reason, StartsWith("fencing: "));
  EXPECT_THAT(outcome.reason, HasSubstr("node 2 (node2) at 10.0.0.12:5432 on timeline 4"));
  EXPECT_THAT(outcome.reason, HasSubstr("this run's primary is node 1 (node1) on timeline 3"));
}

TEST_F(HostDeployerTest, ForceTurnsTheFenceOffInTheInstaller) {
  plan.fence = false;
  deploy();
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_THAT(ssh.commands[0]->text, HasSubstr("fence=0"));
  EXPECT_THAT(ssh.commands[0]->text, HasSubstr("timeline=3"));
}

TEST_F(HostDeployerTest, InstallerFailureWithoutStderrNamesStatus) {
  ssh.installer_exits(install_reload_failed);
  EXPECT_EQ(deploy().reason, "reload: installer ended with status 12");
}

TEST_F(HostDeployerTest, LostConnectionWhileWritingFailsHost) {
  ssh.installer.write_failure = HostError("write", "connection lost while sending");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason, "write: connection lost while sending");
}

TEST_F(HostDeployerTest, RefusalBeforeTheInputIsReadIsReportedAsRefusal) {
  // The installer refuses and exits before reading: the write then fails.
  ssh.installer_exits(install_refused, "held by the primary node 2 (node2) on timeline 4\n");
  ssh.installer.write_failure = HostError("write", "connection lost while sending");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::refused);
  EXPECT_THAT(outcome.reason, StartsWith("fencing: held by the primary node 2"));
}

// ---- rows that cannot be deployed ------------------------------------------------------------

TEST_F(HostDeployerTest, InvalidRowFailsWithoutConnecting) {
  host.invalid_reason = "ssh_port is not a port number: 0";
  host.admin_conninfo = "host=10.0.0.5 port=6432";
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("config: "));
  EXPECT_THAT(outcome.reason, HasSubstr("ssh_port is not a port number: 0"));
  EXPECT_THAT(ssh.connected, IsEmpty());
  EXPECT_THAT(admin.conninfos, IsEmpty());
}

TEST_F(HostDeployerTest, RelativeConfigDirFailsWithoutConnecting) {
  host.config_dir = "etc/pgbouncer";
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("config: "));
  EXPECT_THAT(ssh.connected, IsEmpty());
}

TEST_F(HostDeployerTest, EmptyConfigDirFailsWithoutConnecting) {
  host.config_dir = "";
  EXPECT_THAT(deploy().reason, StartsWith("config: "));
  EXPECT_THAT(ssh.connected, IsEmpty());
}

TEST_F(HostDeployerTest, UnwritableApplicationNameFailsWithoutConnecting) {
  host.application_name = "app\nname";
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("render: "));
  EXPECT_THAT(ssh.connected, IsEmpty());
}

// ---- reload through the admin console, verified ---------------------------------------------

class HostDeployerAdminTest : public HostDeployerTest {
 protected:
  void SetUp() override {
    host.admin_conninfo = "host=10.0.0.5 port=6432 user=pgbouncer";
    ssh.installer_awaits_verdict();
    admin.databases = routed_to("10.0.0.11", 5432);
    // Moving sessions (SHOW DATABASES before RELOAD, RECONNECT) is tested with the switch.
    plan.sessions = Sessions::keep;
  }
};

TEST_F(HostDeployerAdminTest, VerifiedReloadCommitsAndUpdates) {
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::updated) << outcome.reason;
  EXPECT_THAT(admin.conninfos, ElementsAre("host=10.0.0.5 port=6432 user=pgbouncer"));
  EXPECT_EQ(admin.reloads, 1);
  EXPECT_EQ(admin.show_databases, 1);
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_EQ(ssh.commands[0]->input, expected_fragment() + "commit\n");
  EXPECT_TRUE(ssh.commands[0]->input_closed);
}

TEST_F(HostDeployerAdminTest, UnchangedFragmentThatPgBouncerServesIsNotReloaded) {
  installer_finds_the_file_unchanged();
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::unchanged) << outcome.reason;
  EXPECT_EQ(admin.show_databases, 1);
  EXPECT_EQ(admin.reloads, 0);
}

TEST_F(HostDeployerAdminTest, UnchangedFragmentThatPgBouncerDoesNotServeIsReloadedAndVerified) {
  installer_finds_the_file_unchanged();
  admin.databases_before_reload = routed_to("10.0.0.99", 5432);  // an earlier reload failed
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::updated) << outcome.reason;
  EXPECT_EQ(admin.reloads, 1);
  EXPECT_EQ(admin.show_databases, 2) << "checked before, verified after the RELOAD";
  EXPECT_EQ(ssh.commands[0]->input, expected_fragment()) << "the file itself is left alone";
}

TEST_F(HostDeployerAdminTest, UnchangedFragmentThatStillIsNotServedAfterReloadFails) {
  installer_finds_the_file_unchanged();
  admin.databases = routed_to("10.0.0.99", 5432);
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("verify: PgBouncer routes app to app at 10.0.0.99:5432"));
}

TEST_F(HostDeployerAdminTest, InstallerWaitsForVerdictInsteadOfReloading) {
  deploy();
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_EQ(ssh.commands[0]->text,
            install_script(expected_request(expected_fragment().size(), std::nullopt)));
  EXPECT_THAT(ssh.commands[0]->text, Not(HasSubstr("service pgbouncer reload")));
}

TEST_F(HostDeployerAdminTest, ReloadsOnlyAfterInstalledAndCommitsOnlyAfterVerifying) {
  deploy();
  const Journal& j = *journal;
  const std::size_t admin_connect = position(j, "admin connect");
  const std::size_t ssh_connect = position(j, "ssh connect app1");
  const std::size_t installed = position(j, "read installed");
  const std::size_t reload = position(j, "RELOAD");
  const std::size_t show = position(j, "SHOW DATABASES");
  const std::size_t commit = position(j, "write commit\n");
  EXPECT_LT(admin_connect, ssh_connect);
  EXPECT_LT(ssh_connect, installed);
  EXPECT_LT(installed, reload);
  EXPECT_LT(reload, show);
  EXPECT_LT(show, commit);
  EXPECT_LT(commit, position(j, "close input"));
  EXPECT_LT(position(j, "close input"), position(j, "wait"));
}

TEST_F(HostDeployerAdminTest, ExtraDatabasesInPgBouncerAreFine) {
  admin.databases.push_back({"pgbouncer", "", 6432, "pgbouncer"});
  admin.databases.push_back({"legacy", "10.9.9.9", 5432, "legacy"});
  EXPECT_EQ(deploy().result, HostResult::updated);
}

TEST_F(HostDeployerAdminTest, RoutingElsewhereRollsBackAndReloadsAgain) {
  admin.databases = routed_to("10.0.0.99", 5432);
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("verify: "));
  EXPECT_THAT(outcome.reason, HasSubstr("10.0.0.99:5432"));
  ASSERT_EQ(ssh.commands.size(), 1U);
  EXPECT_EQ(ssh.commands[0]->input, expected_fragment() + "rollback\n");
  EXPECT_TRUE(ssh.commands[0]->input_closed);
  EXPECT_EQ(admin.reloads, 2);
  const std::size_t waited = position(*journal, "wait");
  EXPECT_LT(waited, position(*journal, "RELOAD", waited)) << "a RELOAD loads the restored file";
}

TEST_F(HostDeployerAdminTest, WrongPortRollsBack) {
  admin.databases = routed_to("10.0.0.11", 6543);
  const HostOutcome outcome = deploy();
  EXPECT_THAT(outcome.reason, StartsWith("verify: "));
  EXPECT_THAT(ssh.commands.at(0)->input, EndsWith("rollback\n"));
  EXPECT_EQ(admin.reloads, 2);
}

TEST_F(HostDeployerAdminTest, MissingDatabaseRollsBack) {
  admin.databases = {{"app", "10.0.0.11", 5432, "app"}};
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("verify: "));
  EXPECT_THAT(outcome.reason, HasSubstr("postgres"));
  EXPECT_THAT(ssh.commands.at(0)->input, EndsWith("rollback\n"));
  EXPECT_EQ(admin.reloads, 2);
}

TEST_F(HostDeployerAdminTest, OtherDatabaseNameRollsBack) {
  admin.databases = routed_to("10.0.0.11", 5432);
  for (auto& db : admin.databases) {
    db.dbname = "other";
  }
  const HostOutcome outcome = deploy();
  EXPECT_THAT(outcome.reason, StartsWith("verify: "));
  EXPECT_THAT(ssh.commands.at(0)->input, EndsWith("rollback\n"));
}

TEST_F(HostDeployerAdminTest, FailedReloadRollsBack) {
  admin.fail_reload("RELOAD failed: permission denied");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason, "admin console: RELOAD failed: permission denied");
  EXPECT_THAT(ssh.commands.at(0)->input, EndsWith("rollback\n"));
  EXPECT_EQ(admin.show_databases, 0);
}

TEST_F(HostDeployerAdminTest, AdminConnectFailureMakesNoSshConnection) {
  admin.fail_connect("connection refused");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("admin console: "));
  EXPECT_THAT(ssh.connected, IsEmpty());
  EXPECT_THAT(ssh.commands, IsEmpty());
}

TEST_F(HostDeployerAdminTest, InstallerFailingBeforeInstalledIsNeverReloaded) {
  ssh.installer_exits(install_incomplete, "incomplete transfer: 10 of 200 bytes arrived\n");
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason, "transfer: incomplete transfer: 10 of 200 bytes arrived");
  EXPECT_EQ(admin.reloads, 0);
}

TEST_F(HostDeployerAdminTest, InstallerEndingSilentlyIsInstallFailure) {
  ssh.installer_exits(install_ok);
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("install: "));
  EXPECT_EQ(admin.reloads, 0);
}

TEST_F(HostDeployerAdminTest, UnexpectedFirstLineDoesNotLeaveInstallerWaitingForVerdict) {
  // A remote shell's startup file may print a line before the installer speaks. The installer
  // is then still waiting on stdin for its verdict: waiting for it to end without closing its
  // input blocks until the connection's timeout instead of rolling back at once.
  ssh.installer.stdout_lines = {"Welcome to app1", "installed"};
  deploy();
  const Journal& j = *journal;
  const auto waited = std::find(j.begin(), j.end(), "wait");
  ASSERT_NE(waited, j.end());
  const bool closed_before_waiting = std::find(j.begin(), waited, "close input") != waited;
  EXPECT_TRUE(closed_before_waiting)
      << "wait() was called while the installer's input was still open";
}

TEST_F(HostDeployerAdminTest, UnconfirmedRollbackStillFailsVerification) {
  admin.databases = routed_to("10.0.0.99", 5432);
  ssh.installer_prints_installed_then_exits(install_ok);
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("verify: "));
  EXPECT_EQ(admin.reloads, 2);
}

TEST_F(HostDeployerAdminTest, FailureAfterCommitFailsHost) {
  ssh.installer_prints_installed_then_exits(install_write_failed);
  ssh.installer.errors = "cannot rename\n";
  const HostOutcome outcome = deploy();
  EXPECT_EQ(outcome.result, HostResult::failed);
  // "commit" may not have arrived: PgBouncer is made to serve the file in place again.
  EXPECT_THAT(outcome.reason, StartsWith("commit: cannot rename; "));
  EXPECT_EQ(admin.reloads, 2);
}

// ---- the real install script under a local shell ----------------------------------------------

class HostDeployerLocalShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-deploy-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    host.config_dir = dir.string();
    std::ofstream(dir / "main.ini", std::ios::binary) << "old = host=10.0.0.1 dbname=old\n";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::string content() const {
    std::ifstream in(dir / "main.ini", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }
  std::string fragment() const {
    return render_fragment({plan.cluster, plan.primary.id, plan.primary.name, plan.target,
                            plan.epoch, plan.databases, ""});
  }

  fs::path dir;
  DeployPlan plan = sample_plan();
  AppServer host = sample_host();
  LocalShellConnector shell;
  FakeAdminConnector admin;
};

TEST_F(HostDeployerLocalShellTest, ReloadCommandPathInstallsFragment) {
  host.reload_command = "true";
  const HostOutcome outcome = HostDeployer(plan, shell, admin).deploy(host);
  EXPECT_EQ(outcome.result, HostResult::updated) << outcome.reason;
  EXPECT_EQ(content(), fragment());
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_F(HostDeployerLocalShellTest, FailingReloadCommandKeepsOldFile) {
  host.reload_command = "echo pgbouncer is not running >&2; false";
  const HostOutcome outcome = HostDeployer(plan, shell, admin).deploy(host);
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_THAT(outcome.reason, StartsWith("reload: pgbouncer is not running"));
  EXPECT_EQ(content(), "old = host=10.0.0.1 dbname=old\n");
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_F(HostDeployerLocalShellTest, VerifiedPathCommits) {
  host.admin_conninfo = "host=127.0.0.1 port=6432";
  admin.databases = routed_to("10.0.0.11", 5432);
  const HostOutcome outcome = HostDeployer(plan, shell, admin).deploy(host);
  EXPECT_EQ(outcome.result, HostResult::updated) << outcome.reason;
  EXPECT_EQ(content(), fragment());
  EXPECT_THAT(files(), ElementsAre("main.ini"));
}

TEST_F(HostDeployerLocalShellTest, FailedVerificationPutsOldFileBack) {
  host.admin_conninfo = "host=127.0.0.1 port=6432";
  admin.databases = routed_to("10.0.0.99", 5432);
  const HostOutcome outcome = HostDeployer(plan, shell, admin).deploy(host);
  EXPECT_THAT(outcome.reason, StartsWith("verify: "));
  EXPECT_EQ(content(), "old = host=10.0.0.1 dbname=old\n");
  EXPECT_THAT(files(), ElementsAre("main.ini"));
  EXPECT_EQ(admin.reloads, 2);
}

}  // namespace
}  // namespace pgdeploy
