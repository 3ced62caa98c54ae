#include "plan/extra_files.hpp"

#include "model/app_server.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
bool receives(const AppServer& host, const ExtraFile& file) {
  return !file.only_untrusted || !host.auth_trust;
}

ExtraFile userlist_file(const std::string& remote_path, std::string content) {
  const std::filesystem::path path(remote_path);
  if (!path.is_absolute() || !path.has_filename()) {
    throw usage_error("--sync-userlist needs an absolute file path, not \"" + remote_path + "\"");
  }
  return {"userlist", path.parent_path().string(), path.filename().string(), false,
          false,      std::move(content)};
}

ExtraFile pgpass_file(const std::filesystem::path& home) {
  return {"pgpass", "",   ".pgpass",
          true,     true, read_whole_file(home / ".pgpass", "--sync-pgpass file")};
}

}  // namespace pgdeploy
