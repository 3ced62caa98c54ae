#include "publish/etcd_settings.hpp"

#include <fstream>

#include "util/errors.hpp"

namespace pgdeploy {
namespace {

std::string path_or_empty(const std::optional<std::filesystem::path>& path) {
  return path ? path->string() : std::string();
}

// The first line of PATH, without its line end; the error never shows the file's content.
std::string read_password(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::string password;
  if (!file || !std::getline(file, password)) {
    throw usage_error("cannot read the etcd password from " + path.string());
  }
  if (!password.empty() && password.back() == '\r') {
    password.pop_back();
  }
  if (password.empty()) {
    throw usage_error("the etcd password file " + path.string() + " starts with an empty line");
  }
  return password;
}

}  // namespace

etcd::EtcdSettings etcd_settings(const EtcdOptions& options) {
  etcd::EtcdSettings settings;
  settings.endpoints = options.endpoints;
  settings.tls = {path_or_empty(options.cacert), path_or_empty(options.cert),
                  path_or_empty(options.key)};
  if (options.user) {
    settings.user = *options.user;
    settings.password = read_password(*options.password_file);
  }
  return settings;
}

}  // namespace pgdeploy
