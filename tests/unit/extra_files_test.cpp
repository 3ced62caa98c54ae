#include "pgdeploy/extra_files.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "fakes.hpp"
#include "pgdeploy/errors.hpp"

namespace pgdeploy {
namespace {

using test::FakeDatabase;
using test::query_result;

TEST(UserlistFrom, QuotesNamesAndHashesAndLeavesOutUnwritableRoles) {
  FakeDatabase db;
  db.answer("pg_shadow", query_result({"usename", "passwd"},
                                      {{"app", "SCRAM-SHA-256$4096:abc"},
                                       {"say \"hi\"", "md5deadbeef"},
                                       {"bad\nname", "md5x"}}));
  EXPECT_EQ(userlist_from(db),
            "\"app\" \"SCRAM-SHA-256$4096:abc\"\n\"say \"\"hi\"\"\" \"md5deadbeef\"\n");
  EXPECT_THAT(db.queries().at(0).sql, ::testing::HasSubstr("passwd IS NOT NULL"));
}

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
