#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pgdeploy {

struct AppServer;

// A file pushed beside the fragment, before it (so that the reload picks it up): PgBouncer's
// userlist (--sync-userlist) or the SSH user's ~/.pgpass (--sync-pgpass). Both carry secrets:
// their content is never logged, and they are written with mode 0600.
struct ExtraFile {
  std::string label;      // names the step in reports: "userlist", "pgpass"
  std::string directory;  // absolute; unused when in_home
  std::string name;
  bool in_home = false;         // the remote user's $HOME
  bool only_untrusted = false;  // only for hosts whose auth_trust is false
  std::string content;
};

// True when HOST receives FILE.
bool receives(const AppServer& host, const ExtraFile& file);

// The userlist as an extra file at REMOTE_PATH (absolute; else a usage error).
ExtraFile userlist_file(const std::string& remote_path, std::string content);

// The local ~/.pgpass (of SSH_DIR's parent) as an extra file for hosts without auth_trust.
// Throws a usage error when it cannot be read.
ExtraFile pgpass_file(const std::filesystem::path& home);

}  // namespace pgdeploy
