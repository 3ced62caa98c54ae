#include "report/json_report.hpp"

#include <gtest/gtest.h>

#include "report/json_text.hpp"

namespace pgdeploy {
namespace {

using namespace std::chrono_literals;

RunReport report() {
  RunReport report;
  report.cluster = "main";
  report.plan = DeployPlan{"main",
                           {2, "node2", "host=127.0.0.1 port=22536"},
                           {"127.0.0.1", 22536},
                           {1, "0/1D73720", "7301"},
                           {"app"}};
  report.hosts = {{"app1", "127.0.0.1", HostResult::updated, "", 254ms, {}},
                  {"app2", "127.0.0.1", HostResult::updated, "", 239ms, {}}};
  return report;
}

TEST(JsonReport, HasTheLayoutTheReadmeShows) {
  EXPECT_EQ(json_report(report()),
            "{\n"
            "  \"cluster\": \"main\",\n"
            "  \"primary\": {\"id\": 2, \"name\": \"node2\", \"host\": \"127.0.0.1\", \"port\": "
            "22536, \"epoch\": {\"timeline\": 1, \"lsn\": \"0/1D73720\"}},\n"
            "  \"hosts\": [\n"
            "    {\"name\": \"app1\", \"address\": \"127.0.0.1\", \"action\": \"updated\", "
            "\"reason\": \"\", \"duration_ms\": 254, \"delivery\": \"ssh\"},\n"
            "    {\"name\": \"app2\", \"address\": \"127.0.0.1\", \"action\": \"updated\", "
            "\"reason\": \"\", \"duration_ms\": 239, \"delivery\": \"ssh\"}\n"
            "  ],\n"
            "  \"exit_code\": 0,\n"
            "  \"error\": null\n"
            "}\n");
}

TEST(JsonReport, ARunThatEndedBeforeTheMetadataHasNoPrimaryAndSaysWhy) {
  RunReport early;
  early.cluster = "main";
  early.exit_code = ExitCode::metadata;
  early.exit_status = 3;
  early.error = "cannot connect";
  const ordered_json parsed = ordered_json::parse(json_report(early));
  EXPECT_EQ(parsed, ordered_json::parse(R"({"cluster": "main", "primary": null, "hosts": [],
                                            "exit_code": 3, "error": "cannot connect"})"));
}

TEST(JsonReport, ADryRunHostCarriesItsDiffAndAnAgentHostSaysSo) {
  RunReport dry = report();
  dry.hosts[0].result = HostResult::would_update;
  dry.hosts[0].diff = "--- a\n+++ b\n";
  dry.hosts[1].agent = true;
  const ordered_json parsed = ordered_json::parse(json_report(dry));
  EXPECT_EQ(parsed["hosts"][0]["action"], "would-update");
  EXPECT_EQ(parsed["hosts"][0]["diff"], "--- a\n+++ b\n");
  EXPECT_FALSE(parsed["hosts"][1].contains("diff"));
  EXPECT_EQ(parsed["hosts"][1]["delivery"], "agent");
}

TEST(JsonReport, AHostNameThatIsNoUtf8AndHoldsControlCharactersStaysValidJson) {
  RunReport forged = report();
  forged.hosts[0].name = "app1\xFF\n\x1b[2J";
  forged.hosts[0].reason = "connect: \xC3(";
  const std::string text = json_report(forged);
  ASSERT_TRUE(ordered_json::accept(text)) << text;  // false on invalid UTF-8
  const ordered_json parsed = ordered_json::parse(text);
  EXPECT_EQ(parsed["hosts"][0]["name"], "app1\xEF\xBF\xBD\n\x1b[2J");
  EXPECT_EQ(parsed["hosts"][0]["reason"], "connect: \xEF\xBF\xBD(");
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "no raw escape byte reaches a terminal";
}

}  // namespace
}  // namespace pgdeploy
