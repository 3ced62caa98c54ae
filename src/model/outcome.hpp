#pragma once

#include <chrono>
#include <string>

namespace pgdeploy {

enum class HostResult {
  updated,
  unchanged,     // the fragment in place already said the same: nothing written or reloaded
  would_update,  // --dry-run/--check: the fragment in place differs
  failed,
  refused  // the host's fragment belongs to a newer primary than ours (fencing)
};

// The name of a result in reports: updated, unchanged, would-update, failed, refused.
const char* result_name(HostResult result);

// What happened on one app server.
struct HostOutcome {
  std::string name;
  std::string address;
  HostResult result = HostResult::failed;
  std::string reason;  // why it failed or was refused, "step: message"; empty when updated
  std::chrono::milliseconds duration{0};
  std::string diff;  // --dry-run: unified diff from the fragment in place to the new one
  // would_update: the fragment in place routes writes to another server than the primary, or
  // there is none (refused hosts always do)
  bool elsewhere = false;
  // failed because PgBouncer's configuration does not include the fragment: whatever it says,
  // PgBouncer routes the host's clients by something else
  bool unserved = false;
  // the app server's own agent pulled its fragment from etcd: the result is its acknowledgement
  bool agent = false;
};

}  // namespace pgdeploy
