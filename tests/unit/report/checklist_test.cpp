#include "report/checklist.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/json_text.hpp"

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;

std::vector<CheckItem> sample() {
  Checklist list("app1 (10.0.0.5)");
  list.pass("address resolves");
  list.fail("host key known and matching", "not in known_hosts\n\tsecond line", "add it");
  list.skip("SSH authentication", "the host key is not accepted");
  return std::move(list.items());
}

TEST(Checklist, RendersMarksFixesAndCounts) {
  EXPECT_EQ(render_checklist("main", sample()),
            "pgdeploy doctor: cluster main\n"
            "[PASS] app1 (10.0.0.5): address resolves\n"
            "[FAIL] app1 (10.0.0.5): host key known and matching: not in known_hosts; second "
            "line\n"
            "       fix: add it\n"
            "[skip] app1 (10.0.0.5): SSH authentication: the host key is not accepted\n"
            "1 passed, 1 failed, 1 skipped\n");
}

TEST(Checklist, RendersNamesFromTheDatabaseEscaped) {
  Checklist list("app1\n[PASS] forged\x1b[2J (10.0.0.5)");
  list.fail("host key known and matching", "bad\x07", "fix \x1b]0;x");
  EXPECT_EQ(render_checklist("main\r", list.items()),
            "pgdeploy doctor: cluster main\\r\n"
            "[FAIL] app1\\n[PASS] forged\\x1b[2J (10.0.0.5): host key known and matching: "
            "bad\\x07\n"
            "       fix: fix \\x1b]0;x\n"
            "0 passed, 1 failed, 0 skipped\n");
}

TEST(Checklist, OnlyFailuresFail) {
  EXPECT_FALSE(all_passed(sample()));
  Checklist list("x");
  list.pass("a");
  list.skip("b", "n/a");
  EXPECT_TRUE(all_passed(list.items()));
  EXPECT_FALSE(list.failed());
}

TEST(Checklist, JsonHasEveryItemAndTheCounts) {
  const std::string json = checklist_json("main", sample());
  EXPECT_THAT(json, HasSubstr("\"result\": \"fail\""));
  EXPECT_THAT(json, HasSubstr("\"fix\": \"add it\""));
  EXPECT_THAT(json, HasSubstr("\"passed\": 1, \"failed\": 1, \"skipped\": 1, \"warnings\": 0}"));
}

TEST(Checklist, JsonHasEveryFieldInItsOrderAndStaysValidForAnyName) {
  Checklist list("app1\xFF\n (10.0.0.5)");
  list.pass("address resolves");
  list.fail("host key known and matching", "not in known_hosts\x1b", "add it");
  const std::string text = checklist_json("main", list.items());
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line";
  EXPECT_EQ(ordered_json::parse(text), ordered_json::parse(R"json({
    "cluster": "main",
    "items": [{"subject": "app1\ufffd\n (10.0.0.5)", "item": "address resolves",
               "result": "pass", "detail": "", "fix": ""},
              {"subject": "app1\ufffd\n (10.0.0.5)", "item": "host key known and matching",
               "result": "fail", "detail": "not in known_hosts\u001b", "fix": "add it"}],
    "passed": 1, "failed": 1, "skipped": 0, "warnings": 0})json"));
}

TEST(Checklist, AWarningHasItsFixAndIsCountedButNeverFails) {
  Checklist list("app1 (10.0.0.5)");
  list.pass("a");
  list.warn("b", "slow", "set x = 1");
  EXPECT_FALSE(list.failed());
  const std::string text = render_checklist("main", list.items());
  EXPECT_THAT(text, HasSubstr("[WARN] app1 (10.0.0.5): b: slow\n       fix: set x = 1\n"));
  EXPECT_THAT(text, HasSubstr("1 passed, 0 failed, 0 skipped, 1 warnings\n"));
  EXPECT_THAT(checklist_json("main", list.items()), HasSubstr("\"warnings\": 1}"));
}

}  // namespace
}  // namespace pgdeploy
