#include "publish/txn_chunks.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pgdeploy {
namespace {

using etcd::Compare;
using etcd::Operation;
using etcd::Transaction;

const std::vector<Compare> fence = {
    {"/pgdeploy/main/epoch", Compare::Target::mod_revision, Compare::Result::equal, 42, {}}};

std::vector<Operation> row_ops(int count) {
  std::vector<Operation> ops;
  for (int k = 0; k < count; ++k) {
    // Every third one a remove: the kind must not matter.
    const auto kind = k % 3 == 2 ? Operation::Kind::remove : Operation::Kind::put;
    ops.push_back({kind, "/pgdeploy/main/app_servers/host" + std::to_string(k), "{}", 0, false});
  }
  return ops;
}

const std::vector<Operation> routing = {
    {Operation::Kind::put, "/pgdeploy/main/epoch", "{}", 0, false},
    {Operation::Kind::put, "/pgdeploy/main/primary", "{}", 0, false},
    {Operation::Kind::put, "/pgdeploy/main/databases", "{}", 0, false}};

std::vector<std::size_t> sizes(const std::vector<Transaction>& txns) {
  std::vector<std::size_t> result;
  for (const auto& txn : txns) {
    result.push_back(txn.success.size());
  }
  return result;
}

// What every split must keep: the compare everywhere, nothing lost or reordered, the routing
// together and last, no transaction over the limit.
void expect_sound(const std::vector<Transaction>& txns, const std::vector<Operation>& rows) {
  ASSERT_FALSE(txns.empty());
  std::vector<std::string> keys;
  for (const auto& txn : txns) {
    ASSERT_EQ(txn.compares.size(), 1U);
    EXPECT_EQ(txn.compares[0].key, fence[0].key);
    EXPECT_EQ(txn.compares[0].number, 42);
    EXPECT_LE(txn.success.size(), max_txn_operations);
    EXPECT_TRUE(txn.failure.empty());
    for (const auto& op : txn.success) {
      keys.push_back(op.key);
    }
  }
  std::vector<std::string> expected;
  for (const auto& op : rows) {
    expected.push_back(op.key);
  }
  for (const auto& op : routing) {
    expected.push_back(op.key);
  }
  EXPECT_EQ(keys, expected);
  const auto& last = txns.back().success;
  ASSERT_GE(last.size(), routing.size());
  for (std::size_t k = 0; k < routing.size(); ++k) {
    EXPECT_EQ(last[last.size() - routing.size() + k].key, routing[k].key);
  }
}

TEST(TxnChunks, NoRowsTheRoutingAlone) {
  const auto txns = in_chunks(fence, {}, routing);
  EXPECT_EQ(sizes(txns), std::vector<std::size_t>({3}));
  expect_sound(txns, {});
}

TEST(TxnChunks, OneRowWithTheRouting) {
  const auto rows = row_ops(1);
  const auto txns = in_chunks(fence, rows, routing);
  EXPECT_EQ(sizes(txns), std::vector<std::size_t>({4}));
  expect_sound(txns, rows);
}

TEST(TxnChunks, RowsThatJustFitWithTheRoutingStayInOne) {
  const auto rows = row_ops(97);
  const auto txns = in_chunks(fence, rows, routing);
  EXPECT_EQ(sizes(txns), std::vector<std::size_t>({100}));
  expect_sound(txns, rows);
}

TEST(TxnChunks, HundredRowsTheRoutingAfterThem) {
  const auto rows = row_ops(100);
  const auto txns = in_chunks(fence, rows, routing);
  EXPECT_EQ(sizes(txns), std::vector<std::size_t>({100, 3}));
  expect_sound(txns, rows);
}

TEST(TxnChunks, HundredAndOneRowsTheLastRowWithTheRouting) {
  const auto rows = row_ops(101);
  const auto txns = in_chunks(fence, rows, routing);
  EXPECT_EQ(sizes(txns), std::vector<std::size_t>({100, 4}));
  expect_sound(txns, rows);
}

TEST(TxnChunks, TwoHundredFiftyRowsInThree) {
  const auto rows = row_ops(250);
  const auto txns = in_chunks(fence, rows, routing);
  EXPECT_EQ(sizes(txns), std::vector<std::size_t>({100, 100, 53}));
  expect_sound(txns, rows);
}

TEST(TxnChunks, ASmallerLimit) {
  const auto rows = row_ops(5);
  EXPECT_EQ(sizes(in_chunks(fence, rows, routing, 4)), std::vector<std::size_t>({4, 4}));
  EXPECT_EQ(sizes(in_chunks(fence, rows, routing, 3)), std::vector<std::size_t>({3, 2, 3}));
}

TEST(TxnChunks, RoutingOverTheLimitIsRefused) {
  EXPECT_THROW(in_chunks(fence, {}, routing, 2), std::invalid_argument);
}

}  // namespace
}  // namespace pgdeploy
