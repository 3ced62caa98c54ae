#include "report/check_line.hpp"

#include <algorithm>

#include "report/report.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

bool is_elsewhere(const HostOutcome& outcome) {
  return outcome.result == HostResult::refused ||
         (outcome.result == HostResult::would_update && outcome.elsewhere);
}

// Clients of such a host are not routed by pgdeploy at all.
bool is_critical(const HostOutcome& outcome) { return is_elsewhere(outcome) || outcome.unserved; }

template <typename Predicate>
std::string names_where(const std::vector<HostOutcome>& outcomes, Predicate predicate) {
  std::string names;
  for (const HostOutcome& outcome : outcomes) {
    if (predicate(outcome)) {
      names += (names.empty() ? "" : ", ") + outcome.name;
    }
  }
  return names;
}

const char* state_name(CheckState state) {
  switch (state) {
    case CheckState::ok:
      return "OK";
    case CheckState::warning:
      return "WARNING";
    case CheckState::critical:
      return "CRITICAL";
    case CheckState::unknown:
      break;
  }
  return "UNKNOWN";
}

// "label=VALUE;;;0;MAX": no thresholds of our own, the plugin's state says it.
std::string host_count(const char* label, long value, std::size_t hosts) {
  return std::string(label) + "=" + std::to_string(value) + ";;;0;" + std::to_string(hosts);
}

std::string performance_data(const std::vector<HostOutcome>& outcomes,
                             std::chrono::milliseconds run_time) {
  const std::string seconds = decimal_seconds(run_time);
  std::string data;
  if (!outcomes.empty()) {
    const long drifting = std::count_if(outcomes.begin(), outcomes.end(), is_drifting);
    data += host_count("current", count_results(outcomes, HostResult::unchanged), outcomes.size()) +
            " " + host_count("drifting", drifting, outcomes.size()) + " " +
            host_count("failed", count_results(outcomes, HostResult::failed), outcomes.size()) +
            " ";
  }
  return data + "time=" + seconds + "s;;;0";
}

std::string host_problems(const std::vector<HostOutcome>& outcomes) {
  std::string text;
  const auto add = [&](const char* label, const std::string& names) {
    if (!names.empty()) {
      text += (text.empty() ? "" : "; ") + std::string(label) + ": " + names;
    }
  };
  add("elsewhere", names_where(outcomes, is_elsewhere));
  add("drifting", names_where(outcomes, [](const HostOutcome& outcome) {
        return is_drifting(outcome) && !is_elsewhere(outcome);
      }));
  add("not included by PgBouncer",
      names_where(outcomes, [](const HostOutcome& outcome) { return outcome.unserved; }));
  add("unreadable", names_where(outcomes, [](const HostOutcome& outcome) {
        return outcome.result == HostResult::failed && !outcome.unserved;
      }));
  return text;
}

}  // namespace

CheckState check_state(const std::vector<HostOutcome>& outcomes, ExitCode code) {
  switch (code) {
    case ExitCode::ok:
    case ExitCode::host_failed:
      break;
    case ExitCode::safety_refusal:
      return CheckState::critical;
    default:
      return CheckState::unknown;
  }
  if (std::any_of(outcomes.begin(), outcomes.end(), is_critical)) {
    return CheckState::critical;
  }
  // --check's code is ok only when every host is current (exit_code_for).
  return code == ExitCode::ok ? CheckState::ok : CheckState::warning;
}

std::string check_status_line(const std::vector<HostOutcome>& outcomes, ExitCode code,
                              const std::string& error, std::chrono::milliseconds run_time) {
  const CheckState state = check_state(outcomes, code);
  std::string text;
  if (!error.empty()) {
    text = error;
  } else if (state == CheckState::ok) {
    text = std::to_string(outcomes.size()) + " app servers current";
  } else {
    text = host_problems(outcomes);
  }
  return std::string("PGDEPLOY ") + state_name(state) + " - " + text + " | " +
         performance_data(outcomes, run_time);
}

}  // namespace pgdeploy
