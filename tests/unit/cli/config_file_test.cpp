#include "cli/config_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "util/errors.hpp"

namespace pgdeploy {

// Printed by gtest when an expectation on entries fails.
void PrintTo(const ConfigEntry& entry, std::ostream* out) {
  *out << entry.line << ": " << entry.key << " = \"" << entry.value << "\"";
}

namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<ConfigEntry> parse(const std::string& text, const std::string& cluster = "main") {
  return parse_config_text(text, "test.ini", cluster);
}

// The message of the usage error that parsing TEXT throws.
std::string parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    return e.what();
  }
  ADD_FAILURE() << "expected a usage error for:\n" << text;
  return {};
}

TEST(ConfigFile, ReadsGlobalSectionWithLineNumbers) {
  EXPECT_THAT(parse("[pgdeploy]\n"
                    "ssh-key = /etc/pgdeploy/id_ed25519\n"
                    "\n"
                    "timeout=3\n"),
              ElementsAre(ConfigEntry{"ssh-key", "/etc/pgdeploy/id_ed25519", 2},
                          ConfigEntry{"timeout", "3", 4}));
}

TEST(ConfigFile, ClusterSectionComesAfterGlobalWhereverItStands) {
  EXPECT_THAT(parse("[cluster main]\n"
                    "timeout = 5\n"
                    "[pgdeploy]\n"
                    "timeout = 3\n"
                    "jobs = 4\n"),
              ElementsAre(ConfigEntry{"timeout", "3", 4}, ConfigEntry{"jobs", "4", 5},
                          ConfigEntry{"timeout", "5", 2}));
}

TEST(ConfigFile, SkipsOtherClusters) {
  const std::string text =
      "[pgdeploy]\n"
      "jobs = 4\n"
      "[cluster other]\n"
      "jobs = 8\n"
      "[cluster main]\n"
      "jobs = 16\n"
      "[cluster mainline]\n"
      "jobs = 32\n";
  EXPECT_THAT(parse(text, "main"),
              ElementsAre(ConfigEntry{"jobs", "4", 2}, ConfigEntry{"jobs", "16", 6}));
  EXPECT_THAT(parse(text, "other"),
              ElementsAre(ConfigEntry{"jobs", "4", 2}, ConfigEntry{"jobs", "8", 4}));
  EXPECT_THAT(parse(text, "absent"), ElementsAre(ConfigEntry{"jobs", "4", 2}));
}

TEST(ConfigFile, RepeatedSectionsKeepFileOrder) {
  EXPECT_THAT(parse("[pgdeploy]\n"
                    "jobs = 4\n"
                    "[cluster main]\n"
                    "jobs = 5\n"
                    "[pgdeploy]\n"
                    "force = true\n"),
              ElementsAre(ConfigEntry{"jobs", "4", 2}, ConfigEntry{"force", "true", 6},
                          ConfigEntry{"jobs", "5", 4}));
}

TEST(ConfigFile, SkipsCommentsAndBlankLines) {
  EXPECT_THAT(parse("; a comment\n"
                    "# another\n"
                    "\n"
                    "[pgdeploy]  ; main settings\n"
                    "   \n"
                    "  ; indented comment\n"
                    "jobs = 4 ; four at once\n"
                    "# json = true\n"
                    "[cluster main]\n"
                    "ro-suffix = _ro\n"),
              ElementsAre(ConfigEntry{"jobs", "4", 7}, ConfigEntry{"ro-suffix", "_ro", 10}));
}

TEST(ConfigFile, TakesValuesLiterally) {
  EXPECT_THAT(parse("[pgdeploy]\n"
                    "pgconnstring =   host=db1 dbname=repmgr password='a#b'  \n"
                    "ro-suffix = \"_ro\"\n"
                    "details = a=b:c\n"
                    "sync-userlist =\n"),
              ElementsAre(ConfigEntry{"pgconnstring", "host=db1 dbname=repmgr password='a#b'", 2},
                          ConfigEntry{"ro-suffix", "\"_ro\"", 3},
                          ConfigEntry{"details", "a=b:c", 4}, ConfigEntry{"sync-userlist", "", 5}));
}

TEST(ConfigFile, IndentedLineIsAnEntryNotAContinuation) {
  EXPECT_THAT(parse("[pgdeploy]\n"
                    "  jobs = 4\n"
                    "    timeout = 3\n"),
              ElementsAre(ConfigEntry{"jobs", "4", 2}, ConfigEntry{"timeout", "3", 3}));
}

TEST(ConfigFile, ReadsWindowsLineEndingsAndByteOrderMark) {
  EXPECT_THAT(parse("\xEF\xBB\xBF[pgdeploy]\r\njobs = 4\r\n[cluster main]\r\ntimeout = 3\r\n"),
              ElementsAre(ConfigEntry{"jobs", "4", 2}, ConfigEntry{"timeout", "3", 4}));
}

TEST(ConfigFile, AcceptsSpacingInSectionNames) {
  EXPECT_THAT(parse("[ pgdeploy ]\njobs = 4\n[cluster   main ]\njobs = 5\n"),
              ElementsAre(ConfigEntry{"jobs", "4", 2}, ConfigEntry{"jobs", "5", 4}));
}

TEST(ConfigFile, MatchesLongClusterNames) {
  const std::string name(60, 'a');
  const std::string other = std::string(59, 'a') + "b";
  const std::string text = "[cluster " + name + "]\njobs = 4\n[cluster " + other + "]\njobs = 5\n";
  EXPECT_THAT(parse(text, name), ElementsAre(ConfigEntry{"jobs", "4", 2}));
  EXPECT_THAT(parse(text, other), ElementsAre(ConfigEntry{"jobs", "5", 4}));
}

TEST(ConfigFile, EmptyTextHasNoEntries) {
  EXPECT_THAT(parse(""), IsEmpty());
  EXPECT_THAT(parse("[pgdeploy]\n"), IsEmpty());
}

TEST(ConfigFile, KeyOutsideAnySectionIsUsageError) {
  const std::string message = parse_error("; settings\njobs = 4\n[pgdeploy]\n");
  EXPECT_THAT(message, HasSubstr("test.ini:2: "));
  EXPECT_THAT(message, HasSubstr("jobs"));
}

TEST(ConfigFile, UnknownSectionIsUsageErrorAtItsHeader) {
  const std::string message = parse_error("[pgdeploy]\njobs = 4\n[clustr main]\n\njobs = 5\n");
  EXPECT_THAT(message, HasSubstr("test.ini:3: unknown section [clustr main]"));
}

TEST(ConfigFile, ClusterSectionWithoutValidNameIsUnknown) {
  EXPECT_THAT(parse_error("[cluster]\njobs = 4\n"), HasSubstr("test.ini:1: unknown section"));
  EXPECT_THAT(parse_error("[cluster a.b]\njobs = 4\n"), HasSubstr("test.ini:1: unknown section"));
  EXPECT_THAT(parse_error("[clustermain]\njobs = 4\n"), HasSubstr("test.ini:1: unknown section"));
}

TEST(ConfigFile, SyntaxErrorsNameTheirLine) {
  EXPECT_THAT(parse_error("[pgdeploy]\njobs = 4\njust words\n"), HasSubstr("test.ini:3: "));
  EXPECT_THAT(parse_error("[pgdeploy\njobs = 4\n"), HasSubstr("test.ini:1: "));
}

TEST(ConfigFile, EarliestErrorIsReported) {
  EXPECT_THAT(parse_error("[pgdeploy]\nbroken\n[nope]\njobs = 4\n"), HasSubstr("test.ini:2: "));
  EXPECT_THAT(parse_error("[nope]\njobs = 4\nbroken\n"), HasSubstr("test.ini:1: "));
}

TEST(ConfigFile, OverlongLineIsUsageErrorAndLaterLinesKeepTheirNumbers) {
  const std::string long_value(300, 'x');
  EXPECT_THAT(parse_error("[pgdeploy]\njobs = 4\npgconnstring = " + long_value + "\n"),
              HasSubstr("test.ini:3: line longer than"));
  // The longest line inih takes whole is accepted; one more character is not.
  const std::string longest_value(198 - std::string("details = ").size(), 'y');
  EXPECT_THAT(parse_error("[pgdeploy]\ndetails = " + longest_value + "z\n"),
              HasSubstr("test.ini:2: line longer than 198 characters"));
  EXPECT_THAT(parse("[pgdeploy]\ndetails = " + longest_value + "\njobs = 4\n"),
              ElementsAre(ConfigEntry{"details", longest_value, 2}, ConfigEntry{"jobs", "4", 3}));
}

class ConfigFileOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  fs::path dir;
};

TEST_F(ConfigFileOnDisk, ReadsTheFileAndNamesItInErrors) {
  const fs::path path = dir / "pgdeploy.ini";
  std::ofstream(path) << "[pgdeploy]\njobs = 4\n[cluster main]\njobs = 5\n\nnonsense\n";
  try {
    read_config_file(path, "main");
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr(path.string() + ":6: "));
  }
  std::ofstream(path) << "[pgdeploy]\njobs = 4\n[cluster main]\njobs = 5\n";
  EXPECT_THAT(read_config_file(path, "main"),
              ElementsAre(ConfigEntry{"jobs", "4", 2}, ConfigEntry{"jobs", "5", 4}));
}

TEST_F(ConfigFileOnDisk, MissingFileIsUsageErrorNamingIt) {
  const fs::path path = dir / "absent.ini";
  try {
    read_config_file(path, "main");
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
    EXPECT_THAT(e.what(), HasSubstr("No such file"));
  }
}

TEST_F(ConfigFileOnDisk, DirectoryIsUsageError) {
  try {
    read_config_file(dir, "main");
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr(dir.string()));
  }
}

TEST_F(ConfigFileOnDisk, EmptyFileHasNoEntries) {
  const fs::path path = dir / "empty.ini";
  const std::ofstream created(path);
  EXPECT_THAT(read_config_file(path, "main"), IsEmpty());
}

}  // namespace
}  // namespace pgdeploy
