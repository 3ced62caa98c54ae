#include "publish/publisher.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <vector>

#include "plan/fragment_format.hpp"
#include "publish/published_state.hpp"
#include "publish/txn_chunks.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

// Transactions lost to other publishers before the run gives up: each loss means another
// run wrote in between, which happens a few times at most in one failover.
constexpr int max_attempts = 5;

// The stored keys a publish writes, by their name below BASE; others under the prefix (the
// agents' own) are neither compared nor removed.
std::map<std::string, std::string> stored_values(const etcd::RangeResult& read,
                                                 const std::string& base) {
  std::map<std::string, std::string> values;
  for (const auto& kv : read.kvs) {
    std::string name = kv.key.substr(base.size());
    if (name == epoch_key || name == primary_key || name == databases_key ||
        name.starts_with(app_servers_dir)) {
      values[std::move(name)] = kv.value;
    }
  }
  return values;
}

// The writes that bring STORED to WANTED, the rows apart from the routing (the rest).
struct Writes {
  std::vector<etcd::Operation> rows;
  std::vector<etcd::Operation> routing;
};

Writes writes(const std::string& base, const std::map<std::string, std::string>& stored,
              const std::map<std::string, std::string>& wanted) {
  using etcd::Operation;
  Writes out;
  const auto add = [&out](const std::string& name, Operation op) {
    (name.starts_with(app_servers_dir) ? out.rows : out.routing).push_back(std::move(op));
  };
  // Only what changed, and the epoch, which serializes publishers: every put is an event for
  // every agent's watch, and a fleet's rows rarely change with its primary.
  for (const auto& [key, value] : wanted) {
    const auto held = stored.find(key);
    if (key == epoch_key || held == stored.end() || held->second != value) {
      add(key, {Operation::Kind::put, base + key, value, 0, false});
    }
  }
  // One by one: etcd refuses a transaction whose delete range covers a key it also puts.
  for (const auto& entry : stored) {
    if (!wanted.contains(entry.first)) {
      add(entry.first, {Operation::Kind::remove, base + entry.first, {}, 0, false});
    }
  }
  return out;
}

// The transactions that write WANTED and remove the stored keys WANTED no longer has, each
// holding only while the epoch key's mod revision is still EPOCH_REVISION (0: still absent):
// the rows first, the routing with the epoch last (txn_chunks.hpp).
std::vector<etcd::Transaction> publishing(const std::string& base, std::int64_t epoch_revision,
                                          const std::map<std::string, std::string>& stored,
                                          const std::map<std::string, std::string>& wanted) {
  using etcd::Compare;
  const Compare fence{
      base + epoch_key, Compare::Target::mod_revision, Compare::Result::equal, epoch_revision, {}};
  const Writes all = writes(base, stored, wanted);
  return in_chunks({fence}, all.rows, all.routing);
}

// Runs TXNS in order: the store's revision after the last, or nothing when one's compare did
// not hold (another publisher wrote the epoch), the ones before it staying written.
std::optional<std::int64_t> run_in_order(etcd::EtcdClient& client,
                                         const std::vector<etcd::Transaction>& txns) {
  std::int64_t revision = 0;
  for (const auto& txn : txns) {
    const etcd::TxnResult result = client.txn(txn);
    if (!result.succeeded) {
      return std::nullopt;
    }
    revision = result.revision;
  }
  return revision;
}

// Throws a safety refusal when the epoch VALUE stored at KEY may not be replaced by PLAN's: the
// fencing rule of the fragments, and a value that is no epoch is refused as well (fail closed).
void check_epoch(const std::string& key, const std::string& value, const DeployPlan& plan) {
  const std::string consequence = "; nothing published, no app server contacted";
  const FragmentHeader held = parse_stored_epoch(value);
  if (!held.header_problem.empty()) {
    throw safety_refusal("etcd key " + key + ": " + held.header_problem +
                         " (written by hand or by another program); check it, then delete it "
                         "or use --force" +
                         consequence);
  }
  if (const auto refusal = fencing_refusal(held, "etcd key " + key, plan.primary, plan.epoch)) {
    throw safety_refusal(*refusal + consequence);
  }
}

}  // namespace

std::int64_t publish_state(etcd::EtcdClient& client, const std::string& prefix,
                           const DeployPlan& plan, const std::vector<AppServer>& hosts) {
  const std::string base = cluster_prefix(prefix, plan.cluster);
  const auto wanted = state_values(plan, hosts);
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    const KeyRange published = published_range(base);
    const etcd::RangeResult read = client.range_to(published.from, published.to);
    const auto stored = stored_values(read, base);
    std::int64_t epoch_revision = 0;
    for (const auto& kv : read.kvs) {
      if (kv.key == base + epoch_key) {
        epoch_revision = kv.mod_revision;
      }
    }
    if (epoch_revision != 0 && plan.fence) {
      check_epoch(base + epoch_key, stored.at(epoch_key), plan);
    }
    if (same_state(stored, wanted)) {
      spdlog::debug("etcd {}: already current at revision {}", base, read.revision);
      return epoch_revision;
    }
    const auto revision = run_in_order(client, publishing(base, epoch_revision, stored, wanted));
    if (revision) {
      spdlog::info("published {} on timeline {} with {} app servers to etcd {} at revision {}",
                   describe(plan.primary), plan.epoch.timeline, hosts.size(), base, *revision);
      return *revision;
    }
    spdlog::debug("etcd {}: the epoch changed since it was read; reading again", base);
  }
  throw etcd::EtcdError("etcd " + base + ": the epoch changed under every one of " +
                        std::to_string(max_attempts) + " attempts to publish");
}

}  // namespace pgdeploy
