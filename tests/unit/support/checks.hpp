#pragma once

#include <string>
#include <vector>

#include "report/checklist.hpp"

namespace pgdeploy::test {

// Each item as "PASS item", "FAIL item", "skip item" or "WARN item", in order: which steps ran
// and how they ended, without their details.
inline std::vector<std::string> marks(const std::vector<CheckItem>& items) {
  std::vector<std::string> lines;
  for (const CheckItem& item : items) {
    const char* mark = item.mark == Mark::pass   ? "PASS "
                       : item.mark == Mark::fail ? "FAIL "
                       : item.mark == Mark::skip ? "skip "
                                                 : "WARN ";
    lines.push_back(mark + item.item);
  }
  return lines;
}

}  // namespace pgdeploy::test
