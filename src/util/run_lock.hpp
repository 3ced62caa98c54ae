#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace pgdeploy {

// Where every run of a cluster on a node takes its lock unless told otherwise. The package
// creates it owned by postgres; a run that finds it missing creates it sticky and writable by
// all, like /run/lock, so that runs as root and as postgres meet there.
inline constexpr const char* default_lock_directory = "/run/pgdeploy";

// CHOSEN (--lock-dir) as given, else STANDARD, created when missing. Never depends on who runs
// or on the environment. Throws a usage error (the lock directory is configuration) when
// STANDARD cannot be created or is not a directory.
std::filesystem::path lock_directory(
    const std::optional<std::filesystem::path>& chosen,
    const std::filesystem::path& standard = default_lock_directory);

// Serializes runs of pgdeploy for one cluster on this node (a repmgr event hook and a timer run
// may overlap), so that a second run starts after the first and sees the state it left. RAII:
// holds flock(LOCK_EX) on <directory>/<cluster>.lock until destroyed; the file is never deleted.
class RunLock {
 public:
  // Waits up to wait_seconds for the lock (0: tries once), logging once at info level when it
  // has to wait. CLUSTER must already be a valid cluster name. Throws pgdeploy::Error
  // (lock_busy) on timeout, naming the holder's pid; a usage error when the lock file cannot
  // be opened or locked.
  static RunLock acquire(const std::string& cluster, int wait_seconds,
                         const std::filesystem::path& directory);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

  // The lock file held.
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  RunLock(int fd, std::filesystem::path path);
  void release() noexcept;

  int fd_ = -1;
  pid_t owner_ = 0;  // the process that locked; a forked child must not clear its pid
  std::filesystem::path path_;
};

}  // namespace pgdeploy
