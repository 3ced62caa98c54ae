#include "plan/extra_files.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "model/app_server.hpp"
#include "support/fakes.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

TEST(UserlistFile, SplitsAnAbsolutePath) {
  const ExtraFile file = userlist_file("/etc/pgbouncer/userlist.txt", "x");
  EXPECT_EQ(file.directory, "/etc/pgbouncer");
  EXPECT_EQ(file.name, "userlist.txt");
  EXPECT_FALSE(file.in_home);
  EXPECT_EQ(file.label, "userlist");
}

TEST(UserlistFile, RelativePathIsUsageError) {
  for (const char* path : {"userlist.txt", "/etc/pgbouncer/", ""}) {
    try {
      userlist_file(path, "x");
      FAIL() << path;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), ExitCode::usage) << path;
    }
  }
}

TEST(Receives, PgpassGoesOnlyToHostsWithoutAuthTrust) {
  const ExtraFile pgpass{"pgpass", "", ".pgpass", true, true, "x"};
  AppServer trusted;
  trusted.auth_trust = true;
  EXPECT_FALSE(receives(trusted, pgpass));
  EXPECT_TRUE(receives(AppServer{}, pgpass));
  EXPECT_TRUE(receives(trusted, userlist_file("/etc/u.txt", "x")));
}

TEST(PgpassFile, ReadsTheLocalFileAndMissingIsUsageError) {
  const auto home = std::filesystem::temp_directory_path() / "pgdeploy-pgpass-test";
  std::filesystem::create_directories(home);
  std::filesystem::remove(home / ".pgpass");
  EXPECT_THROW(pgpass_file(home), Error);
  std::ofstream(home / ".pgpass") << "*:*:*:app:pw\n";
  const ExtraFile file = pgpass_file(home);
  EXPECT_EQ(file.content, "*:*:*:app:pw\n");
  EXPECT_TRUE(file.in_home);
  EXPECT_TRUE(file.only_untrusted);
  std::filesystem::remove_all(home);
}

}  // namespace
}  // namespace pgdeploy
