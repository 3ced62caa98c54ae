#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pgdeploy {

// A directory lock files may live in, as lock_directory_from() tries it.
struct LockDirectoryCandidate {
  std::filesystem::path path;
  // false: used when it exists or can be created (0755) and is writable.
  // true: created 0700; refused unless it is a real directory we own that nobody else may write.
  bool private_to_user = false;
};

// The candidates lock_directory() tries, in order: /run/pgdeploy, $XDG_RUNTIME_DIR/pgdeploy
// (when the variable is set), /tmp/pgdeploy-<euid>; the last two private.
std::vector<LockDirectoryCandidate> lock_directory_candidates();

// The first usable candidate, created if missing. Throws pgdeploy::Error (host_failed) naming
// why each was refused when none is usable.
std::filesystem::path lock_directory_from(const std::vector<LockDirectoryCandidate>& candidates);

// Where lock files live: lock_directory_from(lock_directory_candidates()).
std::filesystem::path lock_directory();

// Serializes runs of pgdeploy for one cluster on this node (a repmgr event hook and a timer run
// may overlap), so that a second run starts after the first and sees the state it left. RAII:
// holds flock(LOCK_EX) on <directory>/<cluster>.lock until destroyed; the file is never deleted.
class RunLock {
 public:
  // Waits up to wait_seconds for the lock (0: tries once), logging once at info level when it
  // has to wait. CLUSTER must already be a valid cluster name. Throws pgdeploy::Error
  // (host_failed) on timeout, naming the holder's pid, or when the lock file cannot be opened.
  static RunLock acquire(const std::string& cluster, int wait_seconds,
                         const std::filesystem::path& directory = lock_directory());

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

  // The lock file held.
  const std::filesystem::path& path() const { return path_; }

 private:
  RunLock(int fd, std::filesystem::path path);
  void release() noexcept;

  int fd_ = -1;
  pid_t owner_ = 0;  // the process that locked; a forked child must not clear its pid
  std::filesystem::path path_;
};

}  // namespace pgdeploy
