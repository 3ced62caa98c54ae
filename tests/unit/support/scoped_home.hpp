#pragma once

#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>

namespace pgdeploy::test {

// A fresh empty directory as $HOME while it lives; the previous $HOME comes back after it.
class ScopedHome {
 public:
  ScopedHome() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pgdeploy-home.XXXXXX").string();
    path_ = mkdtemp(pattern.data());
    if (const char* home = getenv("HOME")) {
      saved_ = home;
    }
    setenv("HOME", path_.c_str(), 1);
  }
  ~ScopedHome() {
    if (saved_) {
      setenv("HOME", saved_->c_str(), 1);
    } else {
      unsetenv("HOME");
    }
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedHome(const ScopedHome&) = delete;
  ScopedHome& operator=(const ScopedHome&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::optional<std::string> saved_;
};

}  // namespace pgdeploy::test
