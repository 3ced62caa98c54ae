#include "metadata/repmgr_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "util/errors.hpp"

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;

Error parse_error(std::string_view text) {
  try {
    parse_repmgr_config(text, "repmgr.conf");
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an error for: " << text;
  return usage_error("");
}

TEST(ParseRepmgrConfig, ReadsQuotedAndBareValues) {
  const RepmgrConfig config = parse_repmgr_config(
      "node_id=2\n"
      "node_name='node2'\n"
      "conninfo='host=db2 user=repmgr dbname=repmgr connect_timeout=2'\n"
      "event_notifications = standby_promote,node_rejoin  # a comment\n",
      "repmgr.conf");
  EXPECT_EQ(config.node_id, 2);
  EXPECT_EQ(config.conninfo, "host=db2 user=repmgr dbname=repmgr connect_timeout=2");
  EXPECT_EQ(config.event_notifications, "standby_promote,node_rejoin");
}

TEST(ParseRepmgrConfig, ReadsThePromotionSettings) {
  const RepmgrConfig config = parse_repmgr_config(
      "conninfo='host=a'\nfailover=automatic\n"
      "service_promote_command='/usr/lib/postgresql/15/bin/pg_ctl -w -D /data promote'\n"
      "data_directory='/data'\n",
      "repmgr.conf");
  EXPECT_EQ(config.service_promote_command,
            "/usr/lib/postgresql/15/bin/pg_ctl -w -D /data promote");
  EXPECT_EQ(config.data_directory, "/data");
}

TEST(ParseRepmgrConfig, KeepsHashAndEscapedQuoteInsideQuotes) {
  const RepmgrConfig config = parse_repmgr_config(
      "conninfo='host=db1 password=a#b\\'c'\n"
      "event_notification_command='/usr/bin/pgdeploy -c main --event=%e --details=\"%d\"'\n",
      "repmgr.conf");
  EXPECT_EQ(config.conninfo, "host=db1 password=a#b'c");
  EXPECT_EQ(config.event_notification_command,
            "/usr/bin/pgdeploy -c main --event=%e --details=\"%d\"");
}

TEST(ParseRepmgrConfig, SkipsCommentsAndBlankLinesAndLastValueWins) {
  const RepmgrConfig config = parse_repmgr_config(
      "# repmgr.conf\n\n  \t\nconninfo='host=a'\r\n#conninfo='host=b'\nconninfo=host=c\n",
      "repmgr.conf");
  EXPECT_EQ(config.conninfo, "host=c");
  EXPECT_EQ(config.node_id, std::nullopt);
}

TEST(ParseRepmgrConfig, LineWithoutEqualsNamesFileAndLine) {
  const Error e = parse_error("node_id=1\nconninfo\n");
  EXPECT_EQ(e.exit_code(), ExitCode::usage);
  EXPECT_THAT(e.what(), HasSubstr("repmgr.conf:2"));
}

TEST(ParseRepmgrConfig, UnterminatedQuoteNamesLine) {
  EXPECT_THAT(parse_error("conninfo='host=a\n").what(), HasSubstr("repmgr.conf:1"));
}

TEST(ParseRepmgrConfig, NonNumericNodeIdNamesLine) {
  const Error e = parse_error("node_id=two\n");
  EXPECT_THAT(e.what(), HasSubstr("repmgr.conf:1"));
  EXPECT_THAT(e.what(), HasSubstr("node_id"));
}

TEST(ReadRepmgrConfig, MissingFileNamesIt) {
  try {
    read_repmgr_config("/nonexistent/repmgr.conf");
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/repmgr.conf"));
  }
}

TEST(ReadRepmgrConfig, FileWithoutConninfoNamesIt) {
  const auto path = std::filesystem::temp_directory_path() / "pgdeploy-repmgr-test.conf";
  std::ofstream(path) << "node_id=1\n";
  try {
    read_repmgr_config(path);
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
    EXPECT_THAT(e.what(), HasSubstr("no conninfo"));
  }
  std::filesystem::remove(path);
}

TEST(ReadRepmgrConfig, ReadsAFile) {
  const auto path = std::filesystem::temp_directory_path() / "pgdeploy-repmgr-read.conf";
  std::ofstream(path) << "node_id=3\nconninfo='host=db3 dbname=repmgr'\n";
  const RepmgrConfig config = read_repmgr_config(path);
  EXPECT_EQ(config.node_id, 3);
  EXPECT_EQ(config.conninfo, "host=db3 dbname=repmgr");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace pgdeploy
