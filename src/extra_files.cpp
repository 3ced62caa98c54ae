#include "pgdeploy/extra_files.hpp"

#include <algorithm>

#include "pgdeploy/errors.hpp"
#include "pgdeploy/text.hpp"

namespace pgdeploy {
namespace {

// A userlist field: double quotes around it, a double quote doubled.
std::string quoted_field(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

bool has_control(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

bool receives(const AppServer& host, const ExtraFile& file) {
  return !file.only_untrusted || !host.auth_trust;
}

std::string userlist_from(Database& db) {
  const QueryResult rows = db.query(
      "SELECT usename::text, passwd FROM pg_catalog.pg_shadow WHERE passwd IS NOT NULL"
      " ORDER BY usename",
      {});
  std::string userlist;
  for (const auto& row : rows.rows) {
    const std::string user = row.at(0).value_or("");
    const std::string password = row.at(1).value_or("");
    if (!has_control(user) && !has_control(password)) {
      userlist += quoted_field(user) + " " + quoted_field(password) + "\n";
    }
  }
  return userlist;
}

ExtraFile userlist_file(const std::string& remote_path, std::string content) {
  const std::filesystem::path path(remote_path);
  if (!path.is_absolute() || !path.has_filename()) {
    throw usage_error("--sync-userlist needs an absolute file path, not \"" + remote_path + "\"");
  }
  return {"userlist", path.parent_path().string(), path.filename().string(), false, false,
          std::move(content)};
}

ExtraFile pgpass_file(const std::filesystem::path& home) {
  return {"pgpass", "", ".pgpass", true, true,
          read_whole_file(home / ".pgpass", "--sync-pgpass file")};
}

}  // namespace pgdeploy
