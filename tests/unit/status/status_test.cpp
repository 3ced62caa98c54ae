#include "status/status.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/host_steps.hpp"
#include "model/app_server.hpp"
#include "report/json_text.hpp"
#include "status/status_report.hpp"
#include "support/fakes.hpp"
#include "support/samples.hpp"
#include "util/deadline.hpp"

namespace pgdeploy {
namespace {

using test::FakeAdminConnector;
using test::FakeHostConnector;
using test::fragment_read;
using test::plan_on;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// app1 with an admin console.
AppServer app1_with_console() {
  AppServer host = test::app1();
  host.admin_conninfo = "host=10.0.0.5 port=6432 dbname=pgbouncer";
  return host;
}

// TEXT with every run of spaces made one: the table's columns are padded to their widest cell.
std::string squeezed(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ' || out.empty() || out.back() != ' ') {
      out += c;
    }
  }
  return out;
}

std::vector<RoutedDatabase> routed_to(const std::string& host) {
  return {{"app", host, 5432, "app"}, {"postgres", host, 5432, "postgres"}};
}

class StatusTest : public ::testing::Test {
 protected:
  // The fragment a deploy of PLAN wrote, read with its mtime.
  void fragment_in_place(const DeployPlan& written) {
    ssh.installer.stdout_lines = fragment_read(render_for(written, host), "2026-01-02T03:04:05Z");
  }

  HostStatus status() { return read_host_status(plan, ssh, admin, host, TimeLimits{}); }

  DeployPlan plan = plan_on(2, "10.0.0.12", 4);
  AppServer host = app1_with_console();
  FakeHostConnector ssh;
  FakeAdminConnector admin;
};

TEST_F(StatusTest, AHostThatPointsAtThePrimaryIsCurrent) {
  fragment_in_place(plan);
  admin.databases = routed_to("10.0.0.12");
  const HostStatus status = this->status();
  EXPECT_TRUE(status.current());
  EXPECT_EQ(status.problem, "");
  EXPECT_EQ(status.modified, "2026-01-02T03:04:05Z");
  ASSERT_TRUE(status.fragment);
  EXPECT_EQ(status.fragment->primary_id, 2);
  EXPECT_EQ(status.live.size(), 2U);
  EXPECT_THAT(squeezed(render_status(plan, {status})),
              HasSubstr("\napp1 10.0.0.5 node 2 (node2) at 10.0.0.12:5432, timeline 4 yes "
                        "10.0.0.12:5432 (app, postgres) none 2026-01-02T03:04:05Z\n"));
}

TEST_F(StatusTest, AHostThatPointsAtTheOldPrimaryIsNotCurrent) {
  fragment_in_place(plan_on(1, "10.0.0.11", 3));
  admin.databases = routed_to("10.0.0.11");
  const HostStatus status = this->status();
  EXPECT_FALSE(status.fragment_current);
  EXPECT_FALSE(status.live_current);
  EXPECT_FALSE(status.current());
  const std::string text = squeezed(render_status(plan, {status}));
  EXPECT_THAT(text, HasSubstr("Cluster main: primary node 2 (node2) at 10.0.0.12:5432, "
                              "timeline 4 (lsn 0/5000060)\n"));
  EXPECT_THAT(text, HasSubstr("\napp1 10.0.0.5 node 1 (node1) at 10.0.0.11:5432, timeline 3 NO "
                              "10.0.0.11:5432 (app, postgres) "));
}

TEST_F(StatusTest, AFragmentOfANewerTimelineSaysThisNodesViewIsStale) {
  plan = plan_on(1, "10.0.0.11", 3);  // this node: an old primary that came back
  fragment_in_place(plan_on(2, "10.0.0.12", 4));
  const HostStatus newer = status();
  fragment_in_place(plan);
  const HostStatus older = status();
  const auto warning = stale_view_warning(plan, {older, newer});
  ASSERT_TRUE(warning);
  EXPECT_THAT(*warning, HasSubstr("this node's view looks stale: app1 holds a fragment of node 2 "
                                  "(node2) at 10.0.0.12:5432 on timeline 4, newer than timeline "
                                  "3 here"));
  EXPECT_THAT(*warning, HasSubstr("run pgdeploy status on node 2 (node2) at 10.0.0.12:5432"));
  EXPECT_THAT(render_status(plan, {older, newer}), HasSubstr("\nWARNING: this node's view looks "
                                                             "stale: "));
  EXPECT_THAT(status_json("main", &plan, {older, newer}, ExitCode::host_failed, ""),
              HasSubstr("\"stale_view\": \"this node's view looks stale: "));
}

TEST_F(StatusTest, FragmentsOfOlderTimelinesOrAnotherSystemAreNoSignOfAStaleView) {
  fragment_in_place(plan_on(1, "10.0.0.11", 3));
  EXPECT_EQ(stale_view_warning(plan, {status()}), std::nullopt);
  DeployPlan other_system = plan_on(3, "10.0.0.13", 9);
  other_system.epoch.system_identifier = "999";
  fragment_in_place(other_system);
  EXPECT_EQ(stale_view_warning(plan, {status()}), std::nullopt);
  EXPECT_THAT(status_json("main", &plan, {status()}, ExitCode::host_failed, ""),
              HasSubstr("\"stale_view\": null"));
}

TEST_F(StatusTest, JsonHasEveryFieldInItsOrderOnOneLine) {
  fragment_in_place(plan);
  admin.databases = routed_to("10.0.0.12");
  admin.servers = {{"app", "10.0.0.12", 5432}};
  const std::string text = status_json("main", &plan, {status()}, ExitCode::ok, "");
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line: --watch prints one a round";
  // ordered_json compares members in order: the order is checked too.
  EXPECT_EQ(ordered_json::parse(text), ordered_json::parse(R"json({
    "cluster": "main",
    "primary": {"id": 2, "name": "node2", "host": "10.0.0.12", "port": 5432,
                "epoch": {"timeline": 4, "lsn": "0/5000060"}},
    "hosts": [{"name": "app1", "address": "10.0.0.5",
               "fragment": {"primary_id": 2, "primary_name": "node2", "host": "10.0.0.12",
                            "port": 5432, "timeline": 4, "lsn": "0/5000060",
                            "modified": "2026-01-02T03:04:05Z"},
               "current": true, "fragment_current": true,
               "live": [{"database": "app", "host": "10.0.0.12", "port": 5432, "dbname": "app"},
                        {"database": "postgres", "host": "10.0.0.12", "port": 5432,
                         "dbname": "postgres"}],
               "servers": [{"addr": "10.0.0.12", "port": 5432, "connections": 1}],
               "unserved": null, "delivery": "ssh", "ack": null, "problem": ""}],
    "stale_view": null,
    "exit_code": 0,
    "error": ""})json"));
}

TEST_F(StatusTest, JsonOfAHostNameThatIsNoUtf8AndHoldsControlCharactersStaysValid) {
  host.name = "app1\xFF\n\x1b[2J";
  const std::string text = status_json("main", &plan, {status()}, ExitCode::host_failed, "");
  ASSERT_TRUE(ordered_json::accept(text)) << text;  // false on invalid UTF-8
  EXPECT_EQ(ordered_json::parse(text)["hosts"][0]["name"], "app1\xEF\xBF\xBD\n\x1b[2J");
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST_F(StatusTest, AFragmentPgBouncerHasNotLoadedIsCurrentOnlyOnDisk) {
  fragment_in_place(plan);
  admin.databases = routed_to("10.0.0.11");
  const HostStatus status = this->status();
  EXPECT_TRUE(status.fragment_current);
  EXPECT_FALSE(status.live_current);
  EXPECT_THAT(squeezed(render_status(plan, {status})), HasSubstr(" timeline 4 NO (live) "));
}

TEST_F(StatusTest, AFragmentPgBouncerDoesNotIncludeIsNotCurrentAndSaysWhy) {
  fragment_in_place(plan);
  admin.databases = routed_to("10.0.0.12");  // served, but from another file
  ssh.files_read_say("[databases]\n%include /etc/pgbouncer/databases/Main.ini\n");
  const HostStatus status = this->status();
  EXPECT_TRUE(status.fragment_current);
  EXPECT_FALSE(status.current());
  const std::string text = squeezed(render_status(plan, {status}));
  EXPECT_THAT(text, HasSubstr(" timeline 4 NO (not included) "));
  EXPECT_THAT(text, HasSubstr("\napp1: PgBouncer does not serve the fragment: "
                              "/etc/pgbouncer/pgbouncer.ini has no `%include "
                              "/etc/pgbouncer/databases/main.ini`"));
  EXPECT_THAT(status_json("main", &plan, {status}, ExitCode::host_failed, ""),
              HasSubstr("\"unserved\": \"PgBouncer does not serve the fragment: "));
}

TEST_F(StatusTest, ServerConnectionsAreCountedPerServerForTheFragmentsDatabasesOnly) {
  fragment_in_place(plan);
  admin.databases = routed_to("10.0.0.12");
  admin.servers = {{"app", "10.0.0.12", 5432},
                   {"app", "10.0.0.11", 5432},
                   {"postgres", "10.0.0.12", 5432},
                   {"other", "10.0.0.11", 5432}};  // not a database of this cluster's fragment
  const HostStatus status = this->status();
  EXPECT_EQ(status.servers,
            (std::vector<ServerCount>{{"10.0.0.12", 5432, 2}, {"10.0.0.11", 5432, 1}}));
  EXPECT_THAT(squeezed(render_status(plan, {status})),
              HasSubstr(" (app, postgres) 10.0.0.12:5432 2; 10.0.0.11:5432 1 "));
  EXPECT_THAT(status_json("main", &plan, {status}, ExitCode::ok, ""),
              HasSubstr("\"servers\": [{\"addr\": \"10.0.0.12\", \"port\": 5432, "
                        "\"connections\": 2}, {\"addr\": \"10.0.0.11\", \"port\": 5432, "
                        "\"connections\": 1}]"));
}

TEST_F(StatusTest, ColoursAreForTheCurrentColumnOnlyAndKeepTheAlignment) {
  fragment_in_place(plan);
  admin.databases = routed_to("10.0.0.12");
  const HostStatus current = this->status();
  HostStatus unknown = current;
  unknown.name = "app2";
  unknown.fragment.reset();  // it could not be read
  unknown.fragment_current = false;
  const std::string plain = render_status(plan, {current, unknown});
  EXPECT_EQ(plain.find('\033'), std::string::npos) << "no colour unless asked";
  const std::string coloured = render_status(plan, {current, unknown}, true);
  EXPECT_THAT(coloured, HasSubstr("\033[32myes\033[0m  "));
  EXPECT_THAT(coloured, HasSubstr("\033[33m?\033[0m    "));
  std::string uncoloured = coloured;
  for (const char* code : {"\033[32m", "\033[33m", "\033[0m"}) {
    for (auto at = uncoloured.find(code); at != std::string::npos; at = uncoloured.find(code)) {
      uncoloured.erase(at, std::string_view(code).size());
    }
  }
  EXPECT_EQ(uncoloured, plain) << "the same table, the same columns, once the colours are gone";
}

TEST_F(StatusTest, AnUnreachableHostNamesTheStepAndStillAsksPgBouncer) {
  ssh.fail_connect("connect", "connection refused");
  admin.databases = routed_to("10.0.0.12");
  const HostStatus status = this->status();
  EXPECT_FALSE(status.fragment);
  EXPECT_FALSE(status.current());
  EXPECT_EQ(status.problem, "connect: connection refused");
  EXPECT_EQ(admin.show_databases, 1);
  const std::string text = squeezed(render_status(plan, {status}));
  EXPECT_THAT(text, HasSubstr("\napp1 10.0.0.5 ? ? 10.0.0.12:5432 (app, postgres) none -\n"))
      << "unknown, not NO: NO is for a host that points elsewhere";
  EXPECT_THAT(text, HasSubstr("\napp1: connect: connection refused\n"));
  EXPECT_THAT(status_json("main", &plan, {status}, ExitCode::host_failed, ""),
              HasSubstr("\"current\": null"));
}

TEST_F(StatusTest, AMissingFragmentIsShownAsNone) {
  ssh.installer.stdout_lines = {"absent"};
  host.admin_conninfo.reset();
  const HostStatus status = this->status();
  EXPECT_TRUE(status.fragment_absent);
  EXPECT_EQ(status.problem, "fragment: none at /etc/pgbouncer/databases/main.ini");
  EXPECT_EQ(admin.conninfos.size(), 0U);
  EXPECT_THAT(squeezed(render_status(plan, {status})),
              HasSubstr("\napp1 10.0.0.5 (none) NO - (no admin_conninfo) - -\n"));
}

// The whole command, from the metadata to its report, with fakes for every server.
class RunStatusTest : public ::testing::Test {
 protected:
  ExitCode run() {
    world.options.command = Command::status;
    return run_status(world.options, world.servers.opener(), world.ssh_loader(), world.admin,
                      world.out);
  }

  test::ReadOnlyWorld world{{{"app1", "10.0.0.5", {}}, {"app2", "10.0.0.6", {}, false}}};
};

TEST_F(RunStatusTest, ReadsTheEnabledHostsWithTheGivenConnectorsAndNoSecret) {
  world.ssh.installer.stdout_lines = {"absent"};
  EXPECT_EQ(run(), ExitCode::host_failed);
  EXPECT_EQ(world.loaded, std::vector<std::string>{"/keys/deploy /keys/known_hosts"});
  EXPECT_EQ(world.ssh.connected, std::vector<std::string>{"app1"});
  const std::string out = world.out.str();
  EXPECT_THAT(out, HasSubstr("\napp1: fragment: none at /etc/pgbouncer/databases/main.ini\n"));
  EXPECT_THAT(out, Not(HasSubstr("app2")));
  EXPECT_THAT(world.metadata.queries_containing("pg_shadow"), IsEmpty());
}

TEST_F(RunStatusTest, EveryHostCurrentIsExitZero) {
  AppServer host;
  host.id = 101;
  host.name = "app1";
  host.address = "10.0.0.5";
  world.ssh.installer.stdout_lines =
      fragment_read(render_for(plan_on(1, "10.0.0.12", 10), host), "2026-01-02T03:04:05Z");
  EXPECT_EQ(run(), ExitCode::ok) << world.out.str();
  EXPECT_THAT(squeezed(world.out.str()),
              HasSubstr("\napp1 10.0.0.5 node 1 (node1) at 10.0.0.12:5432, timeline 10 yes "));
}

TEST_F(RunStatusTest, AnUnreachableDatabaseIsAMetadataErrorAndNoHostIsAsked) {
  world.options.pgconnstring = "host=elsewhere dbname=repmgr";
  world.options.json = true;
  EXPECT_EQ(run(), ExitCode::metadata);
  EXPECT_THAT(world.loaded, IsEmpty());
  EXPECT_THAT(world.out.str(), HasSubstr("\"exit_code\": 3"));
}

TEST_F(RunStatusTest, AnSshKeyThatCannotBeLoadedIsAUsageErrorAfterTheMetadata) {
  world.ssh_failure = "cannot read the SSH key /keys/deploy";
  EXPECT_EQ(run(), ExitCode::usage);
  EXPECT_THAT(world.out.str(), HasSubstr("Cluster main: primary node 1 (node1)"));
}

}  // namespace
}  // namespace pgdeploy
