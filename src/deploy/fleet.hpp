#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "model/app_server.hpp"
#include "model/outcome.hpp"

namespace pgdeploy {

// Runs VISIT for every host on at most JOBS threads; results come back in the hosts' order.
// VISIT must not throw and must be safe to call from several threads at once.
template <typename Result>
std::vector<Result> visit_in_parallel(const std::vector<AppServer>& hosts, int jobs,
                                      const std::function<Result(const AppServer&)>& visit) {
  std::vector<Result> results(hosts.size());
  std::atomic<std::size_t> next{0};
  // Each worker takes the next host until none is left, so a slow host holds one worker only.
  const auto worker = [&] {
    for (std::size_t i = next++; i < hosts.size(); i = next++) {
      results[i] = visit(hosts[i]);
    }
  };
  const std::size_t threads = std::min(hosts.size(), static_cast<std::size_t>(std::max(jobs, 1)));
  if (threads <= 1) {
    worker();
    return results;
  }
  {
    std::vector<std::jthread> pool;
    pool.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t) {
      pool.emplace_back(worker);
    }
  }  // jthreads join here
  return results;
}

// visit_in_parallel for deploying and inspecting.
inline std::vector<HostOutcome> deploy_in_parallel(
    const std::vector<AppServer>& hosts, int jobs,
    const std::function<HostOutcome(const AppServer&)>& deploy) {
  return visit_in_parallel(hosts, jobs, deploy);
}

}  // namespace pgdeploy
