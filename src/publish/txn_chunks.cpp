#include "publish/txn_chunks.hpp"

#include <algorithm>
#include <stdexcept>

namespace pgdeploy {

std::vector<etcd::Transaction> in_chunks(const std::vector<etcd::Compare>& compares,
                                         const std::vector<etcd::Operation>& rows,
                                         const std::vector<etcd::Operation>& routing,
                                         std::size_t max) {
  if (max == 0 || routing.size() > max) {
    throw std::invalid_argument("in_chunks: the routing does not fit in one transaction");
  }
  std::vector<etcd::Transaction> txns;
  for (std::size_t first = 0; first < rows.size(); first += max) {
    const auto end = rows.begin() + static_cast<std::ptrdiff_t>(std::min(first + max, rows.size()));
    txns.push_back({compares, {rows.begin() + static_cast<std::ptrdiff_t>(first), end}, {}});
  }
  // The routing joins the last chunk of rows when it fits, else runs alone after it.
  if (txns.empty() || txns.back().success.size() + routing.size() > max) {
    txns.push_back({compares, {}, {}});
  }
  txns.back().success.insert(txns.back().success.end(), routing.begin(), routing.end());
  return txns;
}

}  // namespace pgdeploy
