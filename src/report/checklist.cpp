#include "report/checklist.hpp"

#include <algorithm>

#include "report/json_report.hpp"
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
  std::string json = "{\"cluster\": " + json_string(cluster) + ", \"items\": [";
  for (std::size_t i = 0; i < items.size(); ++i) {
    const CheckItem& item = items[i];
    json += std::string(i == 0 ? "" : ", ") + "{\"subject\": " + json_string(item.subject) +
            ", \"item\": " + json_string(item.item) +
            ", \"result\": " + json_string(mark_name(item.mark)) +
            ", \"detail\": " + json_string(item.detail) + ", \"fix\": " + json_string(item.fix) +
            "}";
  }
  return json + "], \"passed\": " + std::to_string(count(items, Mark::pass)) +
         ", \"failed\": " + std::to_string(count(items, Mark::fail)) +
         ", \"skipped\": " + std::to_string(count(items, Mark::skip)) +
         ", \"warnings\": " + std::to_string(count(items, Mark::warn)) + "}\n";
}

}  // namespace pgdeploy
