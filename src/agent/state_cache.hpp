#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "etcd/etcd_types.hpp"

namespace pgdeploy {

// The keys an agent applies, as of one store revision: filled by a linearizable read, then
// moved forward by the watch's events. etcd's watch delivers every change after its start
// revision, in order, and never splits one revision's changes between two messages, so after
// each message the cache holds these keys exactly as a read at that revision would. Pure.
class StateCache {
 public:
  // Only these keys are kept; events of other keys are passed over.
  explicit StateCache(std::vector<std::string> keys) : keys_(std::move(keys)) {}

  // Replaces everything with what READ found.
  void reset(const etcd::RangeResult& read);
  // Applies the EVENTS after revision(); true when one of the keys changed (a put of the
  // same value counts: it is a new publish).
  bool advance(const std::vector<etcd::WatchEvent>& events);

  [[nodiscard]] const std::vector<std::string>& keys() const { return keys_; }
  // The revision the cache is current at.
  [[nodiscard]] std::int64_t revision() const { return revision_; }
  // The mod revision of KEY, or revision() when it is missing.
  [[nodiscard]] std::int64_t mod_revision(const std::string& key) const;
  // The values by key with PREFIX taken off.
  [[nodiscard]] std::map<std::string, std::string> values_below(const std::string& prefix) const;

 private:
  std::vector<std::string> keys_;
  std::map<std::string, etcd::KeyValue> kvs_;
  std::int64_t revision_ = 0;
};

}  // namespace pgdeploy
