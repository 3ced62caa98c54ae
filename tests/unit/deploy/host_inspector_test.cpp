#include "deploy/host_inspector.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/host_steps.hpp"
#include "model/app_server.hpp"
#include "support/fakes.hpp"
#include "support/samples.hpp"

namespace pgdeploy {
namespace {

using test::app1;
using test::FakeHostConnector;
using test::fragment_read;
using test::plan_on;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// --dry-run and --check read the fragment in place and never write or reload anything.
class HostInspectorTest : public ::testing::Test {
 protected:
  void fragment_in_place(const DeployPlan& written) {
    ssh.installer.stdout_lines = fragment_read(render_for(written, host));
  }

  HostOutcome inspect() { return HostInspector(plan, ssh).inspect(host); }

  // Nothing was sent to the host but the reads, of the fragment and of pgbouncer.ini: no input.
  void expect_read_only() const {
    ASSERT_EQ(ssh.commands.size(), 2U);
    EXPECT_EQ(ssh.commands[0]->input, "");
    EXPECT_EQ(ssh.commands[1]->input, "");
    EXPECT_THAT(ssh.commands[1]->text, HasSubstr(FakeHostConnector::read_file_marker));
    EXPECT_THAT(ssh.commands[1]->text, HasSubstr("f='/etc/pgbouncer/pgbouncer.ini'"));
  }

  DeployPlan plan = plan_on(2, "10.0.0.12", 4, "0/6000000");
  AppServer host = app1();
  FakeHostConnector ssh;
};

TEST_F(HostInspectorTest, AbsentFragmentWouldBeCreatedWithADiffOfItAll) {
  ssh.installer.stdout_lines = {"absent"};
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::would_update);
  EXPECT_THAT(outcome.diff, StartsWith("--- app1:/etc/pgbouncer/databases/main.ini (absent)\n"
                                       "+++ app1:/etc/pgbouncer/databases/main.ini (new)\n"));
  EXPECT_THAT(outcome.diff, HasSubstr("\n+app = host=10.0.0.12 port=5432 dbname=app\n"));
  EXPECT_TRUE(outcome.elsewhere) << "no fragment: writes do not reach the primary through it";
  expect_read_only();
}

TEST_F(HostInspectorTest, AFragmentForThePrimaryThatDiffersOtherwiseIsNotElsewhere) {
  DeployPlan written = plan;
  written.databases.push_back("reports");
  fragment_in_place(written);
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::would_update);
  EXPECT_FALSE(outcome.elsewhere);
}

TEST_F(HostInspectorTest, FragmentOfTheOldPrimaryWouldBeUpdatedWithItsDiff) {
  fragment_in_place(plan_on(1, "10.0.0.11", 3, "0/5000000"));
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::would_update);
  EXPECT_THAT(outcome.diff, HasSubstr("\n-app = host=10.0.0.11 port=5432 dbname=app\n"));
  EXPECT_THAT(outcome.diff, HasSubstr("\n+app = host=10.0.0.12 port=5432 dbname=app\n"));
  EXPECT_THAT(outcome.diff, Not(HasSubstr("(absent)")));
  EXPECT_TRUE(outcome.elsewhere);
  expect_read_only();
}

TEST_F(HostInspectorTest, TheSameFragmentButForTheLsnIsUnchanged) {
  fragment_in_place(plan_on(2, "10.0.0.12", 4, "0/5000000"));
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::unchanged);
  EXPECT_THAT(outcome.diff, IsEmpty());
}

TEST_F(HostInspectorTest, ACurrentFragmentPgBouncerIncludesUnderDatabasesIsUnchanged) {
  fragment_in_place(plan);
  ssh.files_read_say(
      "[databases]\n%include /etc/pgbouncer/databases/main.ini\n[pgbouncer]\nlisten_port = "
      "6432\n");
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::unchanged);
  EXPECT_FALSE(outcome.unserved);
  expect_read_only();
}

TEST_F(HostInspectorTest, ACurrentFragmentPgBouncerDoesNotIncludeFailsAsUnserved) {
  fragment_in_place(plan);
  ssh.files_read_say("[databases]\n%include /etc/pgbouncer/databases/Main.ini\n");
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_TRUE(outcome.unserved);
  EXPECT_EQ(outcome.reason,
            "pgbouncer: PgBouncer does not serve the fragment: /etc/pgbouncer/pgbouncer.ini has no "
            "`%include /etc/pgbouncer/databases/main.ini` (add it under [databases], then reload "
            "PgBouncer)");
}

TEST_F(HostInspectorTest, AFragmentIncludedOutsideDatabasesIsUnserved) {
  fragment_in_place(plan);
  ssh.files_read_say("[pgbouncer]\n%include /etc/pgbouncer/databases/main.ini\n");
  const HostOutcome outcome = inspect();
  EXPECT_TRUE(outcome.unserved);
  EXPECT_THAT(outcome.reason, HasSubstr("includes /etc/pgbouncer/databases/main.ini outside "
                                        "[databases]"));
}

TEST_F(HostInspectorTest, AnIniTheUserCannotReadIsNotJudged) {
  fragment_in_place(plan);  // and read_file exits 1, as the fake does unless told otherwise
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::unchanged);
  EXPECT_FALSE(outcome.unserved);
}

TEST_F(HostInspectorTest, AFragmentOfANewerTimelineIsRefusedAsADeployWouldBe) {
  fragment_in_place(plan_on(3, "10.0.0.13", 5, "0/7000000"));
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::refused);
  EXPECT_THAT(outcome.reason, HasSubstr("timeline 5"));
  EXPECT_THAT(outcome.reason, HasSubstr("(this run's primary is node 2 (node2) on timeline 4)"));
  EXPECT_THAT(outcome.diff, IsEmpty());
}

TEST_F(HostInspectorTest, WithoutFencingANewerTimelineWouldBeReplaced) {
  plan.fence = false;
  fragment_in_place(plan_on(3, "10.0.0.13", 5, "0/7000000"));
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::would_update);
  EXPECT_THAT(outcome.diff, HasSubstr("\n-app = host=10.0.0.13 port=5432 dbname=app\n"));
}

TEST_F(HostInspectorTest, AnUnreachableHostFailsNamingTheStep) {
  ssh.fail_connect("host key", "the host key of 10.0.0.5 is not in known_hosts");
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason, "host key: the host key of 10.0.0.5 is not in known_hosts");
}

TEST_F(HostInspectorTest, AReadThatFailsOnTheHostFailsNamingTheRead) {
  ssh.installer_exits(1, "cat: /etc/pgbouncer/databases/main.ini: Permission denied\n");
  const HostOutcome outcome = inspect();
  EXPECT_EQ(outcome.result, HostResult::failed);
  EXPECT_EQ(outcome.reason, "read: cat: /etc/pgbouncer/databases/main.ini: Permission denied");
}

}  // namespace
}  // namespace pgdeploy
