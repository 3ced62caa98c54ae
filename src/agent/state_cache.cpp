#include "agent/state_cache.hpp"

#include <algorithm>

namespace pgdeploy {

void StateCache::reset(const etcd::RangeResult& read) {
  kvs_.clear();
  for (const etcd::KeyValue& kv : read.kvs) {
    if (std::ranges::find(keys_, kv.key) != keys_.end()) {
      kvs_[kv.key] = kv;
    }
  }
  revision_ = read.revision;
}

bool StateCache::advance(const std::vector<etcd::WatchEvent>& events) {
  bool changed = false;
  std::int64_t last = revision_;
  for (const etcd::WatchEvent& event : events) {
    // At or before revision_: already in what the last read found.
    if (event.kv.mod_revision <= revision_) {
      continue;
    }
    last = std::max(last, event.kv.mod_revision);
    if (std::ranges::find(keys_, event.kv.key) == keys_.end()) {
      continue;
    }
    changed = true;
    if (event.type == etcd::WatchEvent::Type::remove) {
      kvs_.erase(event.kv.key);
    } else {
      kvs_[event.kv.key] = event.kv;
    }
  }
  revision_ = last;
  return changed;
}

std::int64_t StateCache::mod_revision(const std::string& key) const {
  const auto found = kvs_.find(key);
  return found != kvs_.end() ? found->second.mod_revision : revision_;
}

std::map<std::string, std::string> StateCache::values_below(const std::string& prefix) const {
  std::map<std::string, std::string> values;
  for (const auto& [key, kv] : kvs_) {
    if (key.starts_with(prefix)) {
      values[key.substr(prefix.size())] = kv.value;
    }
  }
  return values;
}

}  // namespace pgdeploy
