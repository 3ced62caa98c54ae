#include "report/checklist.hpp"

#include <algorithm>

#include "report/json_text.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

const char* mark_name(Mark mark) {
  switch (mark) {
    case Mark::pass:
      return "pass";
    case Mark::fail:
      return "fail";
    case Mark::skip:
      return "skip";
    case Mark::warn:
      return "warn";
  }
  return "?";
}

const char* mark_label(Mark mark) {
  switch (mark) {
    case Mark::pass:
      return "[PASS]";
    case Mark::fail:
      return "[FAIL]";
    case Mark::skip:
      return "[skip]";
    case Mark::warn:
      return "[WARN]";
  }
  return "[ ?? ]";
}

std::size_t count(const std::vector<CheckItem>& items, Mark mark) {
  return static_cast<std::size_t>(std::count_if(
      items.begin(), items.end(), [mark](const CheckItem& item) { return item.mark == mark; }));
}

}  // namespace

void Checklist::pass(const std::string& item, const std::string& detail) {
  items_.push_back({subject_, item, Mark::pass, one_line(detail), ""});
}

void Checklist::fail(const std::string& item, const std::string& detail, const std::string& fix) {
  items_.push_back({subject_, item, Mark::fail, one_line(detail), fix});
}

void Checklist::skip(const std::string& item, const std::string& why) {
  items_.push_back({subject_, item, Mark::skip, one_line(why), ""});
}

void Checklist::warn(const std::string& item, const std::string& detail, const std::string& fix) {
  items_.push_back({subject_, item, Mark::warn, one_line(detail), fix});
}

bool Checklist::failed() const { return !all_passed(items_); }

bool all_passed(const std::vector<CheckItem>& items) { return count(items, Mark::fail) == 0; }

std::string render_checklist(const std::string& cluster, const std::vector<CheckItem>& items) {
  std::string text = printable("pgdeploy doctor: cluster " + cluster) + "\n";
  for (const CheckItem& item : items) {
    text += printable(std::string(mark_label(item.mark)) + " " + item.subject + ": " + item.item +
                      (item.detail.empty() ? "" : ": " + item.detail)) +
            "\n";
    if ((item.mark == Mark::fail || item.mark == Mark::warn) && !item.fix.empty()) {
      text += printable("       fix: " + item.fix) + "\n";
    }
  }
  return text + std::to_string(count(items, Mark::pass)) + " passed, " +
         std::to_string(count(items, Mark::fail)) + " failed, " +
         std::to_string(count(items, Mark::skip)) + " skipped" +
         (count(items, Mark::warn) > 0
              ? ", " + std::to_string(count(items, Mark::warn)) + " warnings"
              : std::string()) +
         "\n";
}

std::string checklist_json(const std::string& cluster, const std::vector<CheckItem>& items) {
  ordered_json json_items = ordered_json::array();
  for (const CheckItem& item : items) {
    json_items.push_back({{"subject", item.subject},
                          {"item", item.item},
                          {"result", mark_name(item.mark)},
                          {"detail", item.detail},
                          {"fix", item.fix}});
  }
  return to_json_text({{"cluster", cluster},
                       {"items", std::move(json_items)},
                       {"passed", count(items, Mark::pass)},
                       {"failed", count(items, Mark::fail)},
                       {"skipped", count(items, Mark::skip)},
                       {"warnings", count(items, Mark::warn)}}) +
         "\n";
}

}  // namespace pgdeploy
