#pragma once

#include <string>
#include <vector>

namespace pgdeploy {

enum class Mark {
  pass,
  fail,
  skip,  // not checked: an earlier item failed, or it does not apply; never fails the run
  warn   // works, but slower or weaker than it should be; has a fix, never fails the run
};

// One line of pgdeploy doctor's checklist.
struct CheckItem {
  std::string subject;  // "metadata", "repmgr.conf", "ssh", or an app server: "app1 (10.0.0.5)"
  std::string item;     // what is checked: "host key known and matching"
  Mark mark = Mark::pass;
  std::string detail;  // what was found, or why it failed or was skipped
  std::string fix;     // for a failure: one line saying how to fix it
};

// Builds the items of one subject in order.
class Checklist {
 public:
  explicit Checklist(std::string subject) : subject_(std::move(subject)) {}
  void pass(const std::string& item, const std::string& detail = "");
  void fail(const std::string& item, const std::string& detail, const std::string& fix);
  void skip(const std::string& item, const std::string& why);
  void warn(const std::string& item, const std::string& detail, const std::string& fix);
  [[nodiscard]] bool failed() const;
  std::vector<CheckItem>& items() { return items_; }

 private:
  std::string subject_;
  std::vector<CheckItem> items_;
};

// The checklist as text: "[PASS] subject: item: detail", a "fix:" line under every failure and
// warning, and a closing count (warnings counted only when there are some).
std::string render_checklist(const std::string& cluster, const std::vector<CheckItem>& items);

// The checklist as one JSON object: cluster, items (subject, item, result, detail, fix),
// passed, failed, skipped, warnings.
std::string checklist_json(const std::string& cluster, const std::vector<CheckItem>& items);

// True when no item failed.
bool all_passed(const std::vector<CheckItem>& items);

}  // namespace pgdeploy
