#include "util/unified_diff.hpp"

#include <algorithm>
#include <cstddef>
#include <unordered_set>
#include <utility>
#include <vector>

namespace pgdeploy {
namespace {

// Each line keeps its '\n', so that "x" at the end of a file differs from "x\n", as in diff.
using Lines = std::vector<std::string_view>;

Lines split_lines(std::string_view text) {
  Lines lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::size_t length = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(0, length));
    text.remove_prefix(length);
  }
  return lines;
}

// Positions in LINES[begin, end) of lines that also occur in OTHER[other_begin, other_end).
std::vector<std::size_t> matchable(const Lines& lines, std::size_t begin, std::size_t end,
                                   const Lines& other, std::size_t other_begin,
                                   std::size_t other_end) {
  std::unordered_set<std::string_view> present;
  for (std::size_t j = other_begin; j < other_end; ++j) {
    present.insert(other[j]);
  }
  std::vector<std::size_t> positions;
  for (std::size_t i = begin; i < end; ++i) {
    if (present.contains(lines[i])) {
      positions.push_back(i);
    }
  }
  return positions;
}

// The (old, new) positions of a longest common subsequence of lines, in order.
std::vector<std::pair<std::size_t, std::size_t>> common_lines(const Lines& a, const Lines& b) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) {
    pairs.emplace_back(prefix, prefix);
    ++prefix;
  }
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  // A line found on one side only is never common: leaving such lines out of the quadratic
  // table keeps it small when most lines change (after a failover every database line does).
  // Only lines repeated on both sides, which fragments hardly have, make it grow.
  const auto xs = matchable(a, prefix, a.size() - suffix, b, prefix, b.size() - suffix);
  const auto ys = matchable(b, prefix, b.size() - suffix, a, prefix, a.size() - suffix);
  const std::size_t n = xs.size();
  const std::size_t m = ys.size();
  // length(x, y): the length of a longest common subsequence of xs[x..] and ys[y..].
  std::vector<std::size_t> table((n + 1) * (m + 1), 0);
  const auto length = [&](std::size_t x, std::size_t y) -> std::size_t& {
    return table[x * (m + 1) + y];
  };
  for (std::size_t x = n; x-- > 0;) {
    for (std::size_t y = m; y-- > 0;) {
      length(x, y) = a[xs[x]] == b[ys[y]] ? length(x + 1, y + 1) + 1
                                          : std::max(length(x + 1, y), length(x, y + 1));
    }
  }
  // Where repeated lines allow several equally short diffs, this walk takes the one that matches
  // lines earliest; diff may pick another, equally correct one.
  for (std::size_t x = 0, y = 0; x < n && y < m;) {
    if (a[xs[x]] == b[ys[y]]) {
      pairs.emplace_back(xs[x++], ys[y++]);
    } else if (length(x + 1, y) >= length(x, y + 1)) {
      ++x;
    } else {
      ++y;
    }
  }
  for (std::size_t i = suffix; i > 0; --i) {
    pairs.emplace_back(a.size() - i, b.size() - i);
  }
  return pairs;
}

// One line of the diff's body: ' ' (in both), '-' (old only) or '+' (new only).
struct Edit {
  char kind;
  std::string_view line;
};

// Every line of both texts in order; between two common lines, removals come before additions.
std::vector<Edit> edit_script(const Lines& a, const Lines& b) {
  auto pairs = common_lines(a, b);
  pairs.emplace_back(a.size(), b.size());  // flushes what follows the last common line
  std::vector<Edit> edits;
  std::size_t i = 0;
  std::size_t j = 0;
  for (const auto& [x, y] : pairs) {
    for (; i < x; ++i) {
      edits.push_back({'-', a[i]});
    }
    for (; j < y; ++j) {
      edits.push_back({'+', b[j]});
    }
    if (x < a.size()) {
      edits.push_back({' ', a[i]});
      ++i;
      ++j;
    }
  }
  return edits;
}

// "start,count" as diff prints a range: ",1" is left out, and an empty range names the line
// before it.
std::string range(std::size_t before, std::size_t count) {
  const std::size_t start = count == 0 ? before : before + 1;
  return count == 1 ? std::to_string(start) : std::to_string(start) + "," + std::to_string(count);
}

}  // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         const std::string& old_label, const std::string& new_label, int context) {
  if (old_text == new_text) {
    return {};
  }
  const std::vector<Edit> edits = edit_script(split_lines(old_text), split_lines(new_text));
  const auto around = static_cast<std::size_t>(std::max(context, 0));
  const auto is_change = [&](std::size_t k) { return edits[k].kind != ' '; };

  std::string diff = "--- " + old_label + "\n+++ " + new_label + "\n";
  std::size_t old_before = 0;  // old lines before edits[k]
  std::size_t new_before = 0;
  std::size_t k = 0;
  while (true) {
    std::size_t first = k;
    while (first < edits.size() && !is_change(first)) {
      ++first;
    }
    if (first == edits.size()) {
      break;
    }
    // Changes with at most 2 * CONTEXT lines between them share a hunk, as their context
    // would touch or overlap.
    std::size_t last = first;
    for (std::size_t next = first + 1; next < edits.size() && next - last <= 2 * around + 1;
         ++next) {
      if (is_change(next)) {
        last = next;
      }
    }
    const std::size_t begin = first - std::min(first - k, around);
    const std::size_t end = std::min(last + 1 + around, edits.size());
    for (; k < begin; ++k) {
      ++old_before;
      ++new_before;
    }
    const auto count = [&](char skipped) {
      return static_cast<std::size_t>(
          std::count_if(edits.begin() + static_cast<std::ptrdiff_t>(begin),
                        edits.begin() + static_cast<std::ptrdiff_t>(end),
                        [&](const Edit& edit) { return edit.kind != skipped; }));
    };
    const std::size_t old_count = count('+');
    const std::size_t new_count = count('-');
    diff += "@@ -" + range(old_before, old_count) + " +" + range(new_before, new_count) + " @@\n";
    for (; k < end; ++k) {
      diff += edits[k].kind;
      diff += edits[k].line;
      if (edits[k].line.back() != '\n') {
        diff += "\n\\ No newline at end of file\n";
      }
    }
    old_before += old_count;
    new_before += new_count;
  }
  return diff;
}

}  // namespace pgdeploy
