#pragma once

#include <cstddef>
#include <vector>

#include "etcd/etcd_types.hpp"

namespace pgdeploy {

// The most operations pgdeploy puts in one etcd transaction: etcd refuses more than
// --max-txn-ops (default 128), and a publish of a large fleet writes one key per row.
inline constexpr std::size_t max_txn_operations = 100;

// Splits one write into transactions of at most MAX operations, in the order they are to run,
// each with every one of COMPARES: first ROWS in chunks, then one that holds ROUTING (the keys
// an agent routes by, which must change together) and the rows that still fit. So a reader
// between two of them sees some new rows and the old routing, never half a routing; and as
// long as no chunk writes the key a compare is on, the compare fences every chunk alike.
// Always at least one transaction; ROUTING must hold at most MAX operations. Pure.
std::vector<etcd::Transaction> in_chunks(const std::vector<etcd::Compare>& compares,
                                         const std::vector<etcd::Operation>& rows,
                                         const std::vector<etcd::Operation>& routing,
                                         std::size_t max = max_txn_operations);

}  // namespace pgdeploy
