#include "deploy/fleet.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "model/app_server.hpp"

namespace pgdeploy {
namespace {

using namespace std::chrono_literals;

std::vector<AppServer> hosts(int count) {
  std::vector<AppServer> servers;
  for (int i = 0; i < count; ++i) {
    AppServer server;
    server.id = i;
    server.name = "app" + std::to_string(i);
    server.address = "10.0.0." + std::to_string(i);
    servers.push_back(server);
  }
  return servers;
}

HostOutcome outcome_for(const AppServer& host) {
  return {host.name, host.address, HostResult::updated, "", {}, {}};
}

// Counts the deploys in flight and remembers the most seen at once.
class Concurrency {
 public:
  HostOutcome deploy(const AppServer& host, std::chrono::milliseconds duration) {
    const int now = ++in_flight_;
    int seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(duration);
    --in_flight_;
    {
      const std::lock_guard lock(mutex_);
      calls_.push_back(host.name);
    }
    return outcome_for(host);
  }
  int peak() const { return peak_.load(); }
  std::vector<std::string> calls() const {
    const std::lock_guard lock(mutex_);
    auto sorted = calls_;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }

 private:
  std::atomic<int> in_flight_{0};
  std::atomic<int> peak_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
};

std::vector<std::string> sorted_names(const std::vector<AppServer>& servers) {
  std::vector<std::string> names;
  for (const auto& server : servers) {
    names.push_back(server.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(DeployInParallel, ReturnsOutcomesInHostOrder) {
  const auto servers = hosts(8);
  // Later hosts finish first.
  const auto outcomes = deploy_in_parallel(servers, 8, [](const AppServer& host) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * (8 - host.id)));
    return outcome_for(host);
  });
  ASSERT_EQ(outcomes.size(), servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i) {
    EXPECT_EQ(outcomes[i].name, servers[i].name);
    EXPECT_EQ(outcomes[i].address, servers[i].address);
  }
}

TEST(DeployInParallel, KeepsEachHostsOwnOutcome) {
  const auto servers = hosts(5);
  const auto outcomes = deploy_in_parallel(servers, 3, [](const AppServer& host) {
    HostOutcome outcome = outcome_for(host);
    if (host.id % 2 == 1) {
      outcome.result = HostResult::failed;
      outcome.reason = "connect: refused by " + host.name;
    }
    return outcome;
  });
  ASSERT_EQ(outcomes.size(), 5U);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    EXPECT_EQ(outcomes[i].result, i % 2 == 1 ? HostResult::failed : HostResult::updated);
    if (i % 2 == 1) {
      EXPECT_EQ(outcomes[i].reason, "connect: refused by app" + std::to_string(i));
    }
  }
}

TEST(DeployInParallel, RunsAtMostJobsDeploysAtOnce) {
  const auto servers = hosts(12);
  Concurrency concurrency;
  deploy_in_parallel(servers, 3,
                     [&](const AppServer& host) { return concurrency.deploy(host, 15ms); });
  EXPECT_LE(concurrency.peak(), 3);
  EXPECT_GE(concurrency.peak(), 2) << "deploys did not overlap at all";
  EXPECT_EQ(concurrency.calls(), sorted_names(servers));
}

TEST(DeployInParallel, OneJobRunsDeploysOneAfterAnother) {
  const auto servers = hosts(4);
  Concurrency concurrency;
  deploy_in_parallel(servers, 1,
                     [&](const AppServer& host) { return concurrency.deploy(host, 2ms); });
  EXPECT_EQ(concurrency.peak(), 1);
  EXPECT_EQ(concurrency.calls(), sorted_names(servers));
}

TEST(DeployInParallel, MoreJobsThanHostsDeploysEachOnce) {
  const auto servers = hosts(3);
  Concurrency concurrency;
  const auto outcomes = deploy_in_parallel(
      servers, 64, [&](const AppServer& host) { return concurrency.deploy(host, 5ms); });
  EXPECT_EQ(outcomes.size(), 3U);
  EXPECT_LE(concurrency.peak(), 3);
  EXPECT_EQ(concurrency.calls(), sorted_names(servers));
}

TEST(DeployInParallel, ZeroHostsNeverCallsDeploy) {
  bool called = false;
  const auto outcomes = deploy_in_parallel({}, 4, [&](const AppServer& host) {
    called = true;
    return outcome_for(host);
  });
  EXPECT_TRUE(outcomes.empty());
  EXPECT_FALSE(called);
}

TEST(DeployInParallel, NonPositiveJobsStillDeploysEveryHost) {
  const auto servers = hosts(3);
  Concurrency concurrency;
  const auto outcomes = deploy_in_parallel(
      servers, 0, [&](const AppServer& host) { return concurrency.deploy(host, 1ms); });
  EXPECT_EQ(outcomes.size(), 3U);
  EXPECT_EQ(concurrency.peak(), 1);
  EXPECT_EQ(concurrency.calls(), sorted_names(servers));
}

}  // namespace
}  // namespace pgdeploy
