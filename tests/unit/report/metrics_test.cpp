#include "report/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

RunReport report_of_a_deploy() {
  RunReport report{"main", std::nullopt, {}, ExitCode::host_failed, ""};
  report.plan = DeployPlan{"main",
                           {2, "node2", "host=10.0.0.12"},
                           {"10.0.0.12", 5433},
                           {4, "0/6000000", "7301"},
                           {"app"}};
  report.hosts = {{"app1", "10.0.0.5", HostResult::updated, "", 66ms, {}},
                  {"app2", "10.0.0.6", HostResult::unchanged, "", 12ms, {}},
                  {"app3", "10.0.0.7", HostResult::failed, "connect: refused", 2001ms, {}}};
  report.duration = 2345ms;
  report.exit_status = 1;
  return report;
}

const std::chrono::system_clock::time_point ended{1764340000123ms};

TEST(PrometheusMetrics, TheRunItsPrimaryAndItsHosts) {
  const std::string text = prometheus_metrics(report_of_a_deploy(), Mode::deploy, ended);
  EXPECT_THAT(text, HasSubstr("# TYPE pgdeploy_last_run_timestamp_seconds gauge\n"
                              "pgdeploy_last_run_timestamp_seconds{cluster=\"main\"} "
                              "1764340000.123\n"));
  EXPECT_THAT(text, HasSubstr("pgdeploy_last_run_exit_code{cluster=\"main\",mode=\"deploy\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pgdeploy_last_run_duration_seconds{cluster=\"main\"} 2.345\n"));
  EXPECT_THAT(text, HasSubstr("pgdeploy_primary_node_id{cluster=\"main\",node_name=\"node2\","
                              "host=\"10.0.0.12\",port=\"5433\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("pgdeploy_primary_timeline{cluster=\"main\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("pgdeploy_hosts{cluster=\"main\",state=\"current\"} 2\n"
                              "pgdeploy_hosts{cluster=\"main\",state=\"drifting\"} 0\n"
                              "pgdeploy_hosts{cluster=\"main\",state=\"failed\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("pgdeploy_host_result{cluster=\"main\",host=\"app3\",result=\"failed\"} "
                        "1\n"));
  EXPECT_THAT(text, HasSubstr("pgdeploy_host_duration_seconds{cluster=\"main\",host=\"app3\"} "
                              "2.001\n"));
}

TEST(PrometheusMetrics, EveryFamilyHasHelpAndType) {
  const std::string text = prometheus_metrics(report_of_a_deploy(), Mode::check, ended);
  for (const char* family : {"pgdeploy_last_run_timestamp_seconds", "pgdeploy_last_run_exit_code",
                             "pgdeploy_last_run_duration_seconds", "pgdeploy_primary_node_id",
                             "pgdeploy_primary_timeline", "pgdeploy_hosts", "pgdeploy_host_result",
                             "pgdeploy_host_duration_seconds"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# HELP ") + family + " "));
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + family + " gauge\n"));
  }
  EXPECT_THAT(text, HasSubstr("mode=\"check\""));
}

TEST(PrometheusMetrics, ARunThatEndedBeforeTheMetadataHasNoPrimary) {
  RunReport report{"main", std::nullopt, {}, ExitCode::metadata, "cannot connect"};
  report.exit_status = 3;
  const std::string text = prometheus_metrics(report, Mode::deploy, ended);
  EXPECT_THAT(text, Not(HasSubstr("pgdeploy_primary")));
  EXPECT_THAT(text, HasSubstr("pgdeploy_last_run_exit_code{cluster=\"main\",mode=\"deploy\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("pgdeploy_hosts{cluster=\"main\",state=\"failed\"} 0\n"));
}

TEST(PrometheusMetrics, LabelValuesAreEscaped) {
  RunReport report = report_of_a_deploy();
  report.hosts[0].name = "a\"b\\c\nd\x1b";
  const std::string text = prometheus_metrics(report, Mode::deploy, ended);
  EXPECT_THAT(text, HasSubstr("host=\"a\\\"b\\\\c\\\\nd\\\\x1b\""));
  EXPECT_THAT(text, Not(HasSubstr("\nd")));
}

}  // namespace
}  // namespace pgdeploy
