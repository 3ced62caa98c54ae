#include "util/atomic_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/errors.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-atomic-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(dir, ignored);
  }
  static std::string content(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  fs::path dir;
};

TEST_F(AtomicFileTest, ReplacesTheFileWithTheModeAndLeavesNothingElse) {
  const fs::path file = dir / "pgdeploy.prom";
  std::ofstream(file) << "old\n";
  write_file_atomically(file, "new\n", 0644);
  EXPECT_EQ(content(file), "new\n");
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644U);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST_F(AtomicFileTest, AFileThatCannotBeWrittenIsAnErrorNamingIt) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root writes into a read-only directory";
  }
  const fs::path file = dir / "pgdeploy.prom";
  std::ofstream(file) << "old\n";
  fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
  try {
    write_file_atomically(file, "new\n", 0644);
    FAIL() << "a read-only directory must fail";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot write " + file.string() + ": create: "));
  }
  EXPECT_EQ(content(file), "old\n");
}

TEST_F(AtomicFileTest, AMissingDirectoryIsAnErrorNamingTheFile) {
  const fs::path file = dir / "missing" / "pgdeploy.prom";
  try {
    write_file_atomically(file, "new\n", 0644);
    FAIL() << "a missing directory must fail";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot write " + file.string() + ": create: No such file"));
  }
}

}  // namespace
}  // namespace pgdeploy
