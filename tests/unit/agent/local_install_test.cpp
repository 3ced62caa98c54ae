#include "agent/local_install.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "deploy/host_steps.hpp"
#include "plan/fragment_format.hpp"
#include "support/fakes.hpp"
#include "support/samples.hpp"
#include "util/atomic_file.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;

class LocalInstallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-agent-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Node NODE's state on TIMELINE for app1, whose fragment lives in the test's directory and
  // whose PgBouncer is reached through the fake console.
  [[nodiscard]] PublishedState state(int node, int timeline) const {
    PublishedState state{test::plan_on(node, "10.0.0.1" + std::to_string(node), timeline),
                         test::app1()};
    state.plan.epoch.system_identifier = "7301234567890123456";
    state.host.config_dir = dir_.string();
    state.host.admin_conninfo = "port=6432";
    return state;
  }
  // Makes the fake PgBouncer serve STATE's routes once reloaded.
  void serve(const PublishedState& state) {
    admin_.databases.clear();
    for (const Route& route : routes_of(fragment_input_for(state.plan, state.host))) {
      admin_.databases.push_back({route.key, route.target.host, route.target.port, route.dbname});
    }
  }
  [[nodiscard]] std::string path() const { return fragment_path(dir_.string(), "main"); }
  [[nodiscard]] std::string in_place() const {
    std::ifstream in(path());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  LocalOutcome apply(const PublishedState& state) {
    TimeLimits limits = TimeLimits::operations_only(std::chrono::milliseconds(200));
    limits.host = std::chrono::milliseconds(1000);
    return LocalInstaller(admin_, limits).apply(state);
  }

  fs::path dir_;
  test::FakeAdminConnector admin_;
};

TEST_F(LocalInstallTest, WritesTheFragmentWithTheInstallersModeAndReloads) {
  const PublishedState next = state(1, 3);
  serve(next);
  const LocalOutcome outcome = apply(next);
  EXPECT_EQ(outcome.result, AgentResult::updated) << outcome.reason;
  EXPECT_EQ(in_place(), render_for(next.plan, next.host));
  struct stat info {};
  ASSERT_EQ(::stat(path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0640U);
  EXPECT_EQ(admin_.reloads, 1);
}

TEST_F(LocalInstallTest, TheSameFragmentIsLeftAsItIs) {
  const PublishedState next = state(1, 3);
  serve(next);
  apply(next);
  const LocalOutcome again = apply(next);
  EXPECT_EQ(again.result, AgentResult::unchanged) << again.reason;
  EXPECT_EQ(admin_.reloads, 1);
}

TEST_F(LocalInstallTest, AFragmentOfANewerTimelineIsNeverReplaced) {
  const PublishedState newer = state(2, 4);
  const std::string held = render_for(newer.plan, newer.host);
  write_file_atomically(path(), held, 0640);
  const PublishedState older = state(1, 3);
  serve(older);
  const LocalOutcome outcome = apply(older);
  EXPECT_EQ(outcome.result, AgentResult::refused);
  EXPECT_NE(outcome.reason.find("timeline 4"), std::string::npos) << outcome.reason;
  EXPECT_EQ(in_place(), held);
  EXPECT_EQ(admin_.reloads, 0);
}

TEST_F(LocalInstallTest, AReloadThatDoesNotTakePutsThePreviousFileBack) {
  const PublishedState before = state(1, 2);
  const std::string previous = render_for(before.plan, before.host);
  write_file_atomically(path(), previous, 0640);
  serve(before);  // PgBouncer keeps serving the old routes: the new ones did not load
  const LocalOutcome outcome = apply(state(2, 3));
  EXPECT_EQ(outcome.result, AgentResult::failed);
  EXPECT_NE(outcome.reason.find("the previous file was put back"), std::string::npos)
      << outcome.reason;
  EXPECT_EQ(in_place(), previous);
  EXPECT_EQ(admin_.reloads, 2);  // the new file, then the previous one again
}

}  // namespace
}  // namespace pgdeploy
