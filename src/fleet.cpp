#include "pgdeploy/fleet.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace pgdeploy {

std::vector<HostOutcome> deploy_in_parallel(
    const std::vector<AppServer>& hosts, int jobs,
    const std::function<HostOutcome(const AppServer&)>& deploy) {
  std::vector<HostOutcome> outcomes(hosts.size());
  std::atomic<std::size_t> next{0};
  // Each worker takes the next host until none is left, so a slow host holds one worker only.
  const auto worker = [&] {
    for (std::size_t i = next++; i < hosts.size(); i = next++) {
      outcomes[i] = deploy(hosts[i]);
    }
  };
  const std::size_t threads = std::min(hosts.size(), static_cast<std::size_t>(std::max(jobs, 1)));
  if (threads <= 1) {
    worker();
    return outcomes;
  }
  {
    std::vector<std::jthread> pool;
    pool.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t) {
      pool.emplace_back(worker);
    }
  }  // jthreads join here
  return outcomes;
}

}  // namespace pgdeploy
