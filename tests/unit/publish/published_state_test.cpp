#include "publish/published_state.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/samples.hpp"

namespace pgdeploy {
namespace {

using nlohmann::json;
using test::plan_on;

DeployPlan sample_plan(int node = 1, int timeline = 3) {
  DeployPlan plan = plan_on(node, "10.0.0.1" + std::to_string(node), timeline);
  plan.epoch.system_identifier = "7301234567890123456";
  return plan;
}

// Whether a primary with PLAN may publish over the epoch that OTHER published.
std::optional<std::string> refusal(const DeployPlan& other, const DeployPlan& plan) {
  const auto held = parse_stored_epoch(state_values(other, {}).at(epoch_key));
  return fencing_refusal(held, "etcd key /pgdeploy/main/epoch", plan.primary, plan.epoch);
}

TEST(PublishedState, ClusterPrefix) {
  EXPECT_EQ(cluster_prefix("/pgdeploy", "main"), "/pgdeploy/main/");
  EXPECT_EQ(cluster_prefix("/pools/", "main"), "/pools/main/");
}

TEST(PublishedState, OneKeyPerPartAndPerEnabledAppServer) {
  DeployPlan plan = sample_plan();
  plan.ro_suffix = "_ro";
  plan.standbys = {{{2, "node2", "host=10.0.0.12 password=secret"}, {"10.0.0.12", 5433}, "dc2"}};
  AppServer app2 = test::app1();
  app2.name = "app2";
  app2.admin_conninfo = "host=10.0.0.6 password=console-secret";
  app2.reload_command = "sudo systemctl reload pgbouncer";
  const auto values = state_values(plan, {test::app1(), app2});
  std::vector<std::string> keys;
  for (const auto& entry : values) {
    keys.push_back(entry.first);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"app_servers/app1", "app_servers/app2", "databases",
                                            "epoch", "primary"}));
  EXPECT_EQ(json::parse(values.at("primary")),
            json::parse(R"({"id":1,"name":"node1","host":"10.0.0.11","port":5432})"));
  const json epoch = json::parse(values.at("epoch"));
  EXPECT_EQ(epoch["timeline"], 3);
  EXPECT_EQ(epoch["system_identifier"], "7301234567890123456");
  EXPECT_EQ(epoch["lsn"], "0/5000060");
  EXPECT_EQ(epoch["primary"], json::parse(R"({"id":1,"name":"node1"})"));
  const json databases = json::parse(values.at("databases"));
  EXPECT_EQ(databases["names"], json(plan.databases));
  EXPECT_EQ(databases["ro_suffix"], "_ro");
  EXPECT_EQ(databases["standbys"][0], json::parse(R"({"id":2,"name":"node2","host":"10.0.0.12",
                                                      "port":5433,"location":"dc2"})"));
  EXPECT_EQ(json::parse(values.at("app_servers/app2")),
            json::parse(R"({"name":"app2","application_name":"","config_dir":
                            "/etc/pgbouncer/databases","location":"","auth_trust":false})"));
  // Conninfos and commands stay out of the store: they may hold passwords.
  for (const auto& entry : values) {
    EXPECT_EQ(entry.second.find("secret"), std::string::npos) << entry.first;
    EXPECT_EQ(entry.second.find("systemctl"), std::string::npos) << entry.first;
  }
}

TEST(PublishedState, StoredEpochReadsBackAsItsHolder) {
  const auto held = parse_stored_epoch(state_values(sample_plan(2, 5), {}).at(epoch_key));
  EXPECT_TRUE(held.header_problem.empty());
  EXPECT_EQ(held.primary_id, 2);
  EXPECT_EQ(held.primary_name, "node2");
  EXPECT_EQ(held.timeline, 5);
  EXPECT_EQ(held.system_identifier, "7301234567890123456");
  EXPECT_EQ(held.holder, "node 2 (node2)");
}

TEST(PublishedState, ValueThatIsNoEpochIsAProblemNotAnEmptyEpoch) {
  for (const char* value : {"", "not json", "[]", R"({"timeline":"3"})",
                            R"({"timeline":3,"system_identifier":"1","primary":{"id":1}})"}) {
    const auto held = parse_stored_epoch(value);
    EXPECT_EQ(held.header_problem, "its value is not an epoch pgdeploy wrote") << value;
    EXPECT_TRUE(fencing_refusal(held, "etcd key /e", sample_plan().primary, sample_plan().epoch)
                    .has_value())
        << value;
  }
}

TEST(PublishedState, TheFragmentsFencingRuleDecides) {
  // The same primary on the same timeline, or any primary on a newer one: published.
  EXPECT_EQ(refusal(sample_plan(1, 3), sample_plan(1, 3)), std::nullopt);
  EXPECT_EQ(refusal(sample_plan(1, 3), sample_plan(2, 4)), std::nullopt);
  // Superseded: the store holds a newer timeline.
  const auto stale = refusal(sample_plan(2, 4), sample_plan(1, 3));
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(*stale,
            "etcd key /pgdeploy/main/epoch is held by the primary node 2 (node2) on timeline 4, "
            "newer than 3: this run's primary was superseded; rejoin it (repmgr node rejoin), "
            "--force only after rebuilding the cluster");
  // Diverged: another node on the same timeline.
  const auto diverged = refusal(sample_plan(1, 3), sample_plan(2, 3));
  ASSERT_TRUE(diverged.has_value());
  EXPECT_NE(diverged->find("held by the primary node 1 (node1) on the same timeline 3"),
            std::string::npos);
  // Another system.
  DeployPlan other = sample_plan(1, 9);
  other.epoch.system_identifier = "42";
  EXPECT_NE(refusal(sample_plan(1, 3), other)->find("another cluster"), std::string::npos);
}

TEST(PublishedState, SameStateIgnoresOnlyTheLsn) {
  const auto stored = state_values(sample_plan(), {test::app1()});
  DeployPlan later = sample_plan();
  later.epoch.lsn = "0/9000000";
  EXPECT_TRUE(same_state(stored, state_values(later, {test::app1()})));
  EXPECT_FALSE(same_state(stored, state_values(later, {})));
  later.databases.emplace_back("newdb");
  EXPECT_FALSE(same_state(stored, state_values(later, {test::app1()})));
  EXPECT_FALSE(same_state(stored, state_values(sample_plan(1, 4), {test::app1()})));
}

// What an agent reads back renders the fragment the publisher's plan renders.
TEST(PublishedState, ParsedBackIsThePublishedPlanAndRow) {
  DeployPlan plan = sample_plan(2, 5);
  plan.cluster = "main";
  plan.ro_suffix = "_ro";
  plan.standbys = {{{1, "node1", ""}, {"10.0.0.11", 5433}, "dc2"}};
  AppServer app1 = test::app1();
  app1.application_name = "billing";
  app1.location = "dc2";
  app1.auth_trust = true;
  const PublishedState state =
      parse_published_state(state_values(plan, {app1}), "main", "app1", "/pgdeploy/main/");
  EXPECT_EQ(state.plan.primary.id, 2);
  EXPECT_EQ(state.plan.primary.name, "node2");
  EXPECT_EQ(state.plan.target, plan.target);
  EXPECT_EQ(state.plan.epoch.timeline, 5);
  EXPECT_EQ(state.plan.epoch.system_identifier, "7301234567890123456");
  EXPECT_EQ(state.plan.epoch.lsn, "0/5000060");
  EXPECT_EQ(state.plan.databases, plan.databases);
  EXPECT_EQ(state.plan.ro_suffix, std::optional<std::string>("_ro"));
  ASSERT_EQ(state.plan.standbys.size(), 1U);
  EXPECT_EQ(state.plan.standbys[0].endpoint, (Endpoint{"10.0.0.11", 5433}));
  EXPECT_EQ(state.plan.standbys[0].location, "dc2");
  EXPECT_EQ(state.host.name, "app1");
  EXPECT_EQ(state.host.application_name, "billing");
  EXPECT_EQ(state.host.config_dir, app1.config_dir);
  EXPECT_EQ(state.host.location, "dc2");
  EXPECT_TRUE(state.host.auth_trust);
}

// The message of the StateProblem that parsing VALUES throws, or "" when it does not.
std::string problem_of(const std::map<std::string, std::string>& values,
                       const std::string& name = "app1") {
  try {
    parse_published_state(values, "main", name, "/pgdeploy/main/");
  } catch (const StateProblem& e) {
    return e.what();
  }
  return "";
}

TEST(PublishedState, MissingRowIsNamed) {
  const auto values = state_values(sample_plan(), {test::app1()});
  EXPECT_EQ(problem_of(values), "");
  EXPECT_EQ(problem_of(values, "app9"),
            "/pgdeploy/main/app_servers/app9 is missing: no enabled app_servers row has "
            "node_name app9 (--name)");
}

TEST(PublishedState, ForeignOrCorruptedValuesAreNamed) {
  const auto values = state_values(sample_plan(), {test::app1()});
  const auto with = [&](const std::string& key, const std::string& value) {
    auto changed = values;
    changed[key] = value;
    return problem_of(changed);
  };
  EXPECT_EQ(with("epoch", "garbage"), "/pgdeploy/main/epoch is not a JSON object pgdeploy wrote");
  EXPECT_TRUE(with("primary", R"({"id":1,"name":"node1","host":"h"})")
                  .starts_with("/pgdeploy/main/primary is not what pgdeploy writes: "));
  EXPECT_TRUE(with("primary", R"({"id":7,"name":"node7","host":"h","port":5432})")
                  .starts_with("/pgdeploy/main/primary is not what pgdeploy writes: names "));
  EXPECT_TRUE(with("databases", R"({"names":"app","ro_suffix":null,"standbys":[]})")
                  .starts_with("/pgdeploy/main/databases is not what pgdeploy writes: "));
  EXPECT_TRUE(with("app_servers/app1", R"({"name":"app1"})")
                  .starts_with("/pgdeploy/main/app_servers/app1 is not what pgdeploy writes: "));
  auto without = values;
  without.erase("epoch");
  EXPECT_TRUE(problem_of(without).starts_with("/pgdeploy/main/epoch is missing"));
}

}  // namespace
}  // namespace pgdeploy
