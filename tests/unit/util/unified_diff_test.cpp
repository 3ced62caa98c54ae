#include "util/unified_diff.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;

// "1\n2\n…N\n".
std::string numbered_lines(int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) {
    text += std::to_string(i) + "\n";
  }
  return text;
}

// TEXT with line NUMBER (counted from 1) replaced by REPLACEMENT (several lines, or none).
std::string replace_line(const std::string& text, int number, const std::string& replacement) {
  std::size_t begin = 0;
  for (int i = 1; i < number; ++i) {
    begin = text.find('\n', begin) + 1;
  }
  const std::size_t end = text.find('\n', begin) + 1;
  return text.substr(0, begin) + replacement + text.substr(end);
}

std::string diff(const std::string& old_text, const std::string& new_text, int context = 3) {
  return unified_diff(old_text, new_text, "old", "new", context);
}

// ---- the format, case by case ------------------------------------------------------------

TEST(UnifiedDiff, EqualTextsGiveNothing) {
  EXPECT_EQ(diff("", ""), "");
  EXPECT_EQ(diff("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(diff("a\nb", "a\nb"), "");
}

TEST(UnifiedDiff, InsertionIntoAnEmptyText) {
  EXPECT_EQ(diff("", "a\nb\nc\n"), "--- old\n+++ new\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n");
}

TEST(UnifiedDiff, OneLineRangeLeavesOutTheCount) {
  EXPECT_EQ(diff("", "a\n"), "--- old\n+++ new\n@@ -0,0 +1 @@\n+a\n");
  EXPECT_EQ(diff("a\n", "b\n"), "--- old\n+++ new\n@@ -1 +1 @@\n-a\n+b\n");
}

TEST(UnifiedDiff, DeletionOfEverything) {
  EXPECT_EQ(diff("a\nb\n", ""), "--- old\n+++ new\n@@ -1,2 +0,0 @@\n-a\n-b\n");
}

TEST(UnifiedDiff, DeletionInTheMiddle) {
  EXPECT_EQ(diff(numbered_lines(9), replace_line(numbered_lines(9), 5, "")),
            "--- old\n+++ new\n@@ -2,7 +2,6 @@\n 2\n 3\n 4\n-5\n 6\n 7\n 8\n");
}

TEST(UnifiedDiff, ChangeInALongTextShowsThreeLinesOfContext) {
  EXPECT_EQ(diff(numbered_lines(20), replace_line(numbered_lines(20), 10, "ten\n")),
            "--- old\n+++ new\n@@ -7,7 +7,7 @@\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n");
}

TEST(UnifiedDiff, ContextIsCutAtTheEdges) {
  EXPECT_EQ(diff("a\nb\nc\n", "A\nb\nc\n"), "--- old\n+++ new\n@@ -1,3 +1,3 @@\n-a\n+A\n b\n c\n");
  EXPECT_EQ(diff("a\nb\nc\n", "a\nb\nC\n"), "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n b\n-c\n+C\n");
}

TEST(UnifiedDiff, DistantChangesGiveSeparateHunksWithTheirOwnCounts) {
  const std::string old_text = numbered_lines(20);
  const std::string new_text =
      replace_line(replace_line(old_text, 15, "15\n15a\n15b\n"), 3, "three\n");
  EXPECT_EQ(diff(old_text, new_text),
            "--- old\n+++ new\n"
            "@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n"
            "@@ -13,6 +13,8 @@\n 13\n 14\n 15\n+15a\n+15b\n 16\n 17\n 18\n");
}

TEST(UnifiedDiff, ChangesSixLinesApartShareAHunk) {
  // The three lines after the first change and the three before the second touch.
  const std::string old_text = numbered_lines(20);
  const std::string new_text = replace_line(replace_line(old_text, 10, "ten\n"), 3, "three\n");
  EXPECT_EQ(diff(old_text, new_text),
            "--- old\n+++ new\n@@ -1,13 +1,13 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n 8\n 9\n"
            "-10\n+ten\n 11\n 12\n 13\n");
}

TEST(UnifiedDiff, ChangesSevenLinesApartGiveTwoHunks) {
  const std::string old_text = numbered_lines(20);
  const std::string new_text = replace_line(replace_line(old_text, 11, "eleven\n"), 3, "three\n");
  EXPECT_EQ(diff(old_text, new_text),
            "--- old\n+++ new\n@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n"
            "@@ -8,7 +8,7 @@\n 8\n 9\n 10\n-11\n+eleven\n 12\n 13\n 14\n");
}

TEST(UnifiedDiff, ZeroContextNamesTheLineBeforeAnEmptyRange) {
  const std::string old_text = numbered_lines(9);
  EXPECT_EQ(diff(old_text, replace_line(old_text, 5, "5\nx\ny\n"), 0),
            "--- old\n+++ new\n@@ -5,0 +6,2 @@\n+x\n+y\n");
  EXPECT_EQ(diff(old_text, replace_line(old_text, 5, ""), 0),
            "--- old\n+++ new\n@@ -5 +4,0 @@\n-5\n");
}

TEST(UnifiedDiff, NegativeContextCountsAsZero) {
  const std::string old_text = numbered_lines(9);
  const std::string new_text = replace_line(old_text, 5, "five\n");
  EXPECT_EQ(diff(old_text, new_text, -1), diff(old_text, new_text, 0));
}

TEST(UnifiedDiff, MissingFinalNewlineInTheOldText) {
  EXPECT_EQ(diff("a\nb", "a\nb\n"),
            "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

TEST(UnifiedDiff, MissingFinalNewlineInTheNewText) {
  EXPECT_EQ(diff("a\n", "a\nb"),
            "--- old\n+++ new\n@@ -1 +1,2 @@\n a\n+b\n\\ No newline at end of file\n");
}

TEST(UnifiedDiff, MissingFinalNewlineOnAContextLine) {
  EXPECT_EQ(diff("x\nb", "y\nb"),
            "--- old\n+++ new\n@@ -1,2 +1,2 @@\n-x\n+y\n b\n\\ No newline at end of file\n");
}

TEST(UnifiedDiff, LabelsAreWrittenAsGiven) {
  EXPECT_EQ(unified_diff("a\n", "b\n", "app1:/etc/pgbouncer/main.ini", "main.ini (rendered)"),
            "--- app1:/etc/pgbouncer/main.ini\n+++ main.ini (rendered)\n@@ -1 +1 @@\n-a\n+b\n");
}

TEST(UnifiedDiff, EveryLineChangedInALargeFragmentIsQuick) {
  // After a failover every database line names the new primary.
  std::string old_text = "; header\n";
  std::string new_text = "; header\n";
  for (int i = 0; i < 5000; ++i) {
    old_text += "db" + std::to_string(i) + " = host=10.0.0.1 port=5432\n";
    new_text += "db" + std::to_string(i) + " = host=10.0.0.2 port=5432\n";
  }
  const auto started = std::chrono::steady_clock::now();
  const std::string text = diff(old_text, new_text);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  const std::string head = "--- old\n+++ new\n@@ -1,5001 +1,5001 @@\n ; header\n-db0 = ";
  EXPECT_EQ(text.substr(0, head.size()), head);
}

// ---- the same bytes as diff -u, and patch reads them back -------------------------------

class UnifiedDiffToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"/usr/bin/diff", "/usr/bin/patch"}) {
      if (::access(tool, X_OK) != 0) {
        GTEST_SKIP() << tool << " is not installed";
      }
    }
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-diff-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << text;
  }

  std::string read(const std::string& name) const {
    std::ifstream in(dir / name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // The standard output of COMMAND, run by the shell in DIR.
  std::string run(const std::string& command) const {
    std::string output;
    FILE* pipe = ::popen(("cd '" + dir.string() + "' && " + command).c_str(), "r");
    EXPECT_NE(pipe, nullptr) << command;
    if (pipe == nullptr) {
      return output;
    }
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
      output.append(buffer, n);
    }
    ::pclose(pipe);
    return output;
  }

  // What `diff -u` prints for the two texts.
  std::string real_diff(const std::string& old_text, const std::string& new_text,
                        int context) const {
    write("old", old_text);
    write("new", new_text);
    return run("/usr/bin/diff -U " + std::to_string(context) + " --label old --label new old new");
  }

  // OLD_TEXT with PATCH applied by patch(1), which refuses malformed or misplaced hunks.
  std::string patched(const std::string& old_text, const std::string& patch) const {
    write("old", old_text);
    write("patch", patch);
    run("/usr/bin/patch --quiet --force --fuzz=0 --reject-file=- --output=result old -i patch "
        ">/dev/null 2>&1 || echo failed >result");
    return read("result");
  }

  fs::path dir;
};

// Fragment-like texts: a header line, then one line per database, sorted and without repeats.
// For such texts the longest common subsequence is unique, so diff's own choice of alignment
// cannot differ from ours and every byte must agree.
std::string random_fragment(std::mt19937& random) {
  if (random() % 10 == 0) {
    return "";
  }
  std::string text = "; Epoch: timeline " + std::to_string(random() % 3) + "\n";
  for (int i = 10; i < 50; ++i) {
    if (random() % 3 != 0) {
      text += "db" + std::to_string(i) + " = host=10.0.0." + std::to_string(1 + random() % 2) +
              " port=5432 dbname=db" + std::to_string(i) + "\n";
    }
  }
  if (random() % 5 == 0) {
    text.pop_back();
  }
  return text;
}

TEST_F(UnifiedDiffToolTest, MatchesDiffOnTheCasesAbove) {
  const std::string twenty = numbered_lines(20);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "a\nb\nc\n"},
      {"", "a\n"},
      {"a\nb\n", ""},
      {numbered_lines(9), replace_line(numbered_lines(9), 5, "")},
      {twenty, replace_line(twenty, 10, "ten\n")},
      {twenty, replace_line(replace_line(twenty, 15, "15\n15a\n15b\n"), 3, "three\n")},
      {twenty, replace_line(replace_line(twenty, 10, "ten\n"), 3, "three\n")},
      {twenty, replace_line(replace_line(twenty, 11, "eleven\n"), 3, "three\n")},
      {"a\nb", "a\nb\n"},
      {"a\n", "a\nb"},
      {"x\nb", "y\nb"},
      {"a", ""},
      {"", "b"},
  };
  for (const auto& [old_text, new_text] : cases) {
    for (const int context : {0, 1, 3, 5}) {
      EXPECT_EQ(diff(old_text, new_text, context), real_diff(old_text, new_text, context))
          << "context " << context << ", old:\n"
          << old_text << "\nnew:\n"
          << new_text;
    }
  }
}

TEST_F(UnifiedDiffToolTest, MatchesDiffOnRandomFragments) {
  std::mt19937 random(20240601);
  for (int round = 0; round < 150; ++round) {
    const std::string old_text = random_fragment(random);
    const std::string new_text = random_fragment(random);
    const int context = static_cast<int>(random() % 5);
    ASSERT_EQ(diff(old_text, new_text, context), real_diff(old_text, new_text, context))
        << "round " << round << ", context " << context << ", old:\n"
        << old_text << "\nnew:\n"
        << new_text;
  }
}

TEST_F(UnifiedDiffToolTest, PatchTurnsTheOldTextIntoTheNewOne) {
  // Few distinct lines, many repeats: here several alignments are equally short and diff may
  // pick another, but ours must still be a correct diff.
  std::mt19937 random(7);
  const auto text = [&random] {
    std::string t;
    for (auto n = random() % 25; n > 0; --n) {
      t += static_cast<char>('a' + random() % 4);
      t += '\n';
    }
    if (!t.empty() && random() % 4 == 0) {
      t.pop_back();
    }
    return t;
  };
  for (int round = 0; round < 120; ++round) {
    const std::string old_text = text();
    const std::string new_text = text();
    const int context = static_cast<int>(random() % 4);
    const std::string patch = diff(old_text, new_text, context);
    if (patch.empty()) {
      EXPECT_EQ(old_text, new_text);
      continue;
    }
    ASSERT_EQ(patched(old_text, patch), new_text)
        << "round " << round << ", context " << context << ", patch:\n"
        << patch;
  }
}

}  // namespace
}  // namespace pgdeploy
