#include "agent/state_cache.hpp"

#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

using etcd::KeyValue;
using etcd::WatchEvent;

KeyValue kv(const std::string& key, const std::string& value, std::int64_t revision) {
  return {key, value, revision, revision, 1, 0};
}

WatchEvent put(const std::string& key, const std::string& value, std::int64_t revision) {
  return {WatchEvent::Type::put, kv(key, value, revision)};
}

WatchEvent removal(const std::string& key, std::int64_t revision) {
  return {WatchEvent::Type::remove, {key, "", 0, revision, 0, 0}};
}

StateCache read_at_10() {
  StateCache cache({"/p/epoch", "/p/app_servers/app1"});
  cache.reset({10,
               {kv("/p/epoch", "e1", 7), kv("/p/app_servers/app1", "row", 3),
                kv("/p/app_servers/app2", "not asked for", 4)}});
  return cache;
}

TEST(StateCache, HoldsWhatTheReadFoundOfItsKeys) {
  const StateCache cache = read_at_10();
  EXPECT_EQ(cache.revision(), 10);
  EXPECT_EQ(cache.mod_revision("/p/epoch"), 7);
  const auto values = cache.values_below("/p/");
  EXPECT_EQ(values,
            (std::map<std::string, std::string>{{"epoch", "e1"}, {"app_servers/app1", "row"}}));
}

TEST(StateCache, MovesForwardWithTheEventsOfItsKeys) {
  StateCache cache = read_at_10();
  EXPECT_TRUE(cache.advance({put("/p/epoch", "e2", 12), removal("/p/app_servers/app1", 12)}));
  EXPECT_EQ(cache.revision(), 12);
  EXPECT_EQ(cache.mod_revision("/p/epoch"), 12);
  EXPECT_EQ(cache.values_below("/p/"), (std::map<std::string, std::string>{{"epoch", "e2"}}));
  // A missing key's mod revision is the cache's own.
  EXPECT_EQ(cache.mod_revision("/p/app_servers/app1"), 12);
}

TEST(StateCache, EventsTheReadAlreadySawOrOfOtherKeysChangeNothing) {
  StateCache cache = read_at_10();
  // At or before the read's revision: in the read already (a watch opened before it).
  EXPECT_FALSE(cache.advance({put("/p/epoch", "older", 9), put("/p/epoch", "same", 10)}));
  EXPECT_EQ(cache.values_below("/p/").at("epoch"), "e1");
  // Another app server's row: no change, but the cache is now current at its revision.
  EXPECT_FALSE(cache.advance({put("/p/app_servers/app2", "other", 11)}));
  EXPECT_EQ(cache.revision(), 11);
  EXPECT_EQ(cache.values_below("/p/").count("app_servers/app2"), 0U);
}

TEST(StateCache, APutOfTheSameValueIsAChange) {
  StateCache cache = read_at_10();
  EXPECT_TRUE(cache.advance({put("/p/epoch", "e1", 11)}));
  EXPECT_EQ(cache.mod_revision("/p/epoch"), 11);
}

TEST(StateCache, AReadReplacesEverything) {
  StateCache cache = read_at_10();
  cache.advance({put("/p/epoch", "e2", 12)});
  cache.reset({20, {kv("/p/epoch", "e3", 19)}});
  EXPECT_EQ(cache.revision(), 20);
  EXPECT_EQ(cache.values_below("/p/"), (std::map<std::string, std::string>{{"epoch", "e3"}}));
}

}  // namespace
}  // namespace pgdeploy
