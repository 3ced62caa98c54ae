#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "etcd/etcd_client.hpp"
#include "model/app_server.hpp"
#include "plan/deploy_plan.hpp"

namespace pgdeploy {

// Publishes PLAN and HOSTS (the enabled app servers) under PREFIX/CLUSTER/ in transactions of
// at most max_txn_operations, the rows first and the routing (epoch, primary, databases) in
// the last, each holding only while the stored epoch is unchanged since it was read (compare
// of its mod revision; read and try again when another publisher came in between, the rows
// already written staying). The fencing rule of the fragments decides on the stored epoch
// (plan/fragment_format.hpp): a newer timeline, or another node on the same timeline, or
// another system wins, and the run is refused with a safety refusal (exit 4) naming the
// holder, the routing left as the holder wrote it; plan.fence false (--force) skips the rule.
// A store that already says the same (the LSN aside) is left as it is.
// Returns the state's revision: the epoch key's mod revision, as agents acknowledge it. Throws
// etcd::EtcdError when etcd cannot be reached or does not answer.
std::int64_t publish_state(etcd::EtcdClient& client, const std::string& prefix,
                           const DeployPlan& plan, const std::vector<AppServer>& hosts);

}  // namespace pgdeploy
