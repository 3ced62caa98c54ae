#include "report/json_text.hpp"

#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

TEST(ToJsonText, OneLineWithASpaceAfterEveryColonAndComma) {
  const ordered_json value = {{"name", "app1"},
                              {"port", 5432},
                              {"live", {true, nullptr}},
                              {"epoch", {{"timeline", 2}, {"lsn", "0/3000060"}}},
                              {"servers", ordered_json::array()},
                              {"ack", ordered_json::object()}};
  EXPECT_EQ(to_json_text(value),
            R"({"name": "app1", "port": 5432, "live": [true, null], )"
            R"("epoch": {"timeline": 2, "lsn": "0/3000060"}, "servers": [], "ack": {}})");
}

TEST(ToJsonText, KeepsTheMembersInTheOrderTheyWereAdded) {
  ordered_json value;
  value["zone"] = 1;
  value["address"] = 2;
  value["name"] = 3;
  EXPECT_EQ(to_json_text(value), R"({"zone": 1, "address": 2, "name": 3})");
}

TEST(ToJsonText, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string name = "app1\n\"x\"\\\t\x1b[2J\x07";
  const std::string text = to_json_text({{"name", name}});
  EXPECT_EQ(text, R"({"name": "app1\n\"x\"\\\t\u001b[2J\u0007"})");
  EXPECT_EQ(ordered_json::parse(text)["name"], name);
}

TEST(ToJsonText, PassesUtf8AndReplacesAByteThatIsNoUtf8) {
  EXPECT_EQ(to_json_text("caf\xC3\xA9"), "\"caf\xC3\xA9\"") << "UTF-8 as it is, not \\u-escaped";
  // 0xFF is never UTF-8; 0xC3 starts a sequence that the quote ends.
  const std::string text = to_json_text({{"name",
                                          "app\xFF"
                                          "1\x1b"},
                                         {"host", "h\xC3"}});
  const ordered_json parsed = ordered_json::parse(text);  // throws on invalid UTF-8
  EXPECT_EQ(parsed["name"],
            "app\xEF\xBF\xBD"
            "1\x1b");
  EXPECT_EQ(parsed["host"], "h\xEF\xBF\xBD");
}

TEST(ToJsonLines, OneMemberALineAndOneElementALineOfItsArrays) {
  const ordered_json object = {{"cluster", "main"},
                               {"primary", {{"id", 2}, {"name", "node2"}}},
                               {"hosts", {{{"name", "app1"}}, {{"name", "app2"}}}},
                               {"none", ordered_json::array()},
                               {"error", nullptr}};
  EXPECT_EQ(to_json_lines(object),
            "{\n"
            "  \"cluster\": \"main\",\n"
            "  \"primary\": {\"id\": 2, \"name\": \"node2\"},\n"
            "  \"hosts\": [\n"
            "    {\"name\": \"app1\"},\n"
            "    {\"name\": \"app2\"}\n"
            "  ],\n"
            "  \"none\": [],\n"
            "  \"error\": null\n"
            "}\n");
}

}  // namespace
}  // namespace pgdeploy
