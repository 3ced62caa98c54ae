#include "deploy/deploy_memo.hpp"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include "model/app_server.hpp"
#include "util/atomic_file.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// FNV-1a: stable across runs and builds, unlike std::hash.
class Fingerprint {
 public:
  void add(std::string_view text) {
    for (const char c : text) {
      hash_ = (hash_ ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    hash_ = (hash_ ^ 0xffU) * 1099511628211ULL;  // a separator no text byte can fake alone
  }
  void add(int number) { add(std::to_string(number)); }
  [[nodiscard]] std::string hex() const { return padded_digits(hash_, 16, 16); }

 private:
  std::uint64_t hash_ = 14695981039346656037ULL;
};

void add_plan(Fingerprint& print, const DeployPlan& plan) {
  print.add(plan.cluster);
  print.add(plan.primary.id);
  print.add(plan.primary.name);
  print.add(describe(plan.target));
  print.add(plan.epoch.timeline);  // not the LSN: it moves with every write
  print.add(plan.epoch.system_identifier);
  for (const std::string& name : plan.databases) {
    print.add(name);
  }
  print.add(plan.fence ? 1 : 0);
  print.add(static_cast<int>(plan.sessions));
  print.add(plan.pause ? 1 : 0);
  print.add(plan.ro_suffix.value_or("-"));
  for (const Standby& standby : plan.standbys) {
    print.add(describe(standby.endpoint));
    print.add(standby.location);
  }
  for (const ExtraFile& file : plan.extras) {
    print.add(file.label);
    print.add(file.content);
  }
}

void add_host(Fingerprint& print, const AppServer& host) {
  for (const std::string& text :
       {host.name, host.address, host.username, host.application_name, host.config_dir,
        host.reload_command.value_or("-"), host.admin_conninfo.value_or("-"), host.location}) {
    print.add(text);
  }
  print.add(host.ssh_port);
  print.add(host.auth_trust ? 1 : 0);
}

}  // namespace

std::string deploy_fingerprint(const DeployPlan& plan, const std::vector<AppServer>& hosts) {
  Fingerprint print;
  add_plan(print, plan);
  for (const AppServer& host : hosts) {
    add_host(print, host);
  }
  return print.hex();
}

bool recently_deployed(const std::filesystem::path& path, const std::string& fingerprint,
                       std::chrono::seconds max_age) {
  std::ifstream in(path);
  std::string recorded;
  long long written = 0;
  if (!(in >> recorded >> written) || recorded != fingerprint) {
    return false;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return written <= now && now - written < max_age.count();
}

void remember_deploy(const std::filesystem::path& path, const std::string& fingerprint) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  try {
    write_file_atomically(path, fingerprint + ' ' + std::to_string(now) + '\n', 0644);
  } catch (const Error& e) {
    spdlog::debug("cannot record the deploy: {}", e.what());
  }
}

void forget_deploy(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

}  // namespace pgdeploy
