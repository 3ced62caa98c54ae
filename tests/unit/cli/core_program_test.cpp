#include "cli/core_program.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>

#include "util/errors.hpp"

namespace fs = std::filesystem;

namespace pgdeploy {
namespace {

TEST(CoreProgramCandidates, InstalledThenBuildTree) {
  const std::vector<fs::path> expected{"/usr/lib/pgdeploy/pgdeploy",
                                       "/usr/bin/lib/pgdeploy/pgdeploy"};
  EXPECT_EQ(core_program_candidates("/usr/bin/pgdeploy"), expected);
}

// A front end installed at PREFIX/bin/pgdeploy, PREFIX a directory of its own.
class FindCoreProgram : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix = fs::temp_directory_path() / ("pgdeploy-core-program-" + std::to_string(getpid()));
    fs::remove_all(prefix);
    self = prefix / "bin" / "pgdeploy";
    installed = prefix / "lib" / "pgdeploy" / "pgdeploy";
    build_tree = prefix / "bin" / "lib" / "pgdeploy" / "pgdeploy";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(prefix, ignored);
  }
  static void create(const fs::path& file) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "core\n";
  }

  fs::path prefix;
  fs::path self;
  fs::path installed;
  fs::path build_tree;
};

TEST_F(FindCoreProgram, FindsTheInstalledOne) {
  create(installed);
  EXPECT_EQ(find_core_program(self), installed);
}

TEST_F(FindCoreProgram, FindsTheOneOfTheBuildTree) {
  create(build_tree);
  EXPECT_EQ(find_core_program(self), build_tree);
}

TEST_F(FindCoreProgram, PrefersTheInstalledOne) {
  create(build_tree);
  create(installed);
  EXPECT_EQ(find_core_program(self), installed);
}

TEST_F(FindCoreProgram, ALinkBackToTheFrontEndIsNoCoreProgram) {
  create(self);
  fs::create_directories(installed.parent_path());
  fs::create_symlink(self, installed);
  EXPECT_THROW(find_core_program(self), Error);
}

TEST_F(FindCoreProgram, MissingIsAUsageErrorNamingEveryPlace) {
  try {
    find_core_program(self);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    const std::string message = e.what();
    EXPECT_NE(message.find(build_tree.string()), std::string::npos) << message;
    EXPECT_NE(message.find(installed.string()), std::string::npos) << message;
  }
}

TEST(RunningProgram, IsTheRealPathOfThisProcess) {
  EXPECT_EQ(running_program().filename(), "pgdeploy_unit_tests");
  EXPECT_TRUE(running_program().is_absolute());
}

TEST(ExecCoreProgram, AProgramThatCannotRunIsAUsageErrorNamingIt) {
  const std::array<const char*, 2> argv{"pgdeploy", nullptr};
  try {
    exec_core_program("/nonexistent/pgdeploy", argv.data());
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_STREQ(e.what(),
                 "cannot run the core program /nonexistent/pgdeploy: No such file or directory");
  }
}

}  // namespace
}  // namespace pgdeploy
