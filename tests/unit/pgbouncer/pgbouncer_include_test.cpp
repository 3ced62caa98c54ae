#include "pgbouncer/pgbouncer_include.hpp"

#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

constexpr const char* path = "/etc/pgbouncer/databases/main.ini";

TEST(FindInclude, IncludeUnderDatabasesIsFound) {
  EXPECT_EQ(find_include("[databases]\n%include /etc/pgbouncer/databases/main.ini\n\n"
                         "[pgbouncer]\nlisten_port = 6432\n",
                         path),
            IncludePlace::in_databases);
}

TEST(FindInclude, BlanksAroundTheDirectiveAndSectionAreAllowed) {
  EXPECT_EQ(
      find_include("  [ databases ]  \n\t%include   /etc/pgbouncer/databases/main.ini  \n", path),
      IncludePlace::in_databases);
}

TEST(FindInclude, IncludeUnderAnotherSectionIsReportedAsSuch) {
  EXPECT_EQ(
      find_include("[databases]\n[pgbouncer]\n%include /etc/pgbouncer/databases/main.ini\n", path),
      IncludePlace::other_section);
}

TEST(FindInclude, IncludeBeforeAnySectionIsOutsideDatabases) {
  EXPECT_EQ(find_include("%include /etc/pgbouncer/databases/main.ini\n[databases]\n", path),
            IncludePlace::other_section);
}

TEST(FindInclude, CommentedOutIncludeIsAbsent) {
  EXPECT_EQ(find_include("[databases]\n;%include /etc/pgbouncer/databases/main.ini\n"
                         "# %include /etc/pgbouncer/databases/main.ini\n",
                         path),
            IncludePlace::absent);
}

TEST(FindInclude, IncludeOfAnotherFileIsAbsent) {
  EXPECT_EQ(find_include("[databases]\n%include /etc/pgbouncer/databases/other.ini\n"
                         "%include /etc/pgbouncer/databases/main.ini.bak\n",
                         path),
            IncludePlace::absent);
}

TEST(FindInclude, DirectiveNeedsABlankBeforeThePath) {
  EXPECT_EQ(find_include("[databases]\n%include/etc/pgbouncer/databases/main.ini\n", path),
            IncludePlace::absent);
}

TEST(FindInclude, LaterIncludeUnderDatabasesWins) {
  EXPECT_EQ(find_include("[pgbouncer]\n%include /etc/pgbouncer/databases/main.ini\n"
                         "[databases]\n%include /etc/pgbouncer/databases/main.ini\n",
                         path),
            IncludePlace::in_databases);
}

}  // namespace
}  // namespace pgdeploy
