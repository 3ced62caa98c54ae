#include "pgdeploy/run_lock.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

#include "pgdeploy/errors.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto poll_interval = std::chrono::milliseconds(20);

std::string errno_text() { return std::strerror(errno); }

// Why CANDIDATE cannot hold lock files (after creating it when missing); empty when it can.
std::string refusal(const LockDirectoryCandidate& candidate) {
  const char* path = candidate.path.c_str();
  if (::mkdir(path, candidate.private_to_user ? 0700 : 0755) != 0 && errno != EEXIST) {
    return "cannot be created: " + errno_text();
  }
  struct stat st {};
  // lstat for a private directory: a symlink there may point wherever someone else chose.
  if ((candidate.private_to_user ? ::lstat(path, &st) : ::stat(path, &st)) != 0) {
    return "cannot be examined: " + errno_text();
  }
  if (!S_ISDIR(st.st_mode)) {
    return "is not a directory";
  }
  if (candidate.private_to_user) {
    // It may sit in shared /tmp: a directory planted by another user would let them delete or
    // swap our lock file and so run alongside us.
    if (st.st_uid != ::geteuid()) {
      return "is owned by uid " + std::to_string(st.st_uid) + ", not by us (uid " +
             std::to_string(::geteuid()) + ")";
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
      return "is writable by group or others";
    }
  }
  if (::faccessat(AT_FDCWD, path, W_OK | X_OK, AT_EACCESS) != 0) {
    return "is not writable: " + errno_text();
  }
  return {};
}

// "pid N" from the lock file, as the holder wrote it; "pid unknown" while it has not yet.
std::string holder(int fd) {
  std::array<char, 32> buffer{};
  const ssize_t n = ::pread(fd, buffer.data(), buffer.size() - 1, 0);
  const long pid = n > 0 ? std::strtol(buffer.data(), nullptr, 10) : 0;
  return pid > 0 ? "pid " + std::to_string(pid) : std::string("pid unknown");
}

// A run by hand as root must not leave a lock file that the service's user, who owns the
// directory (postgres for /run/pgdeploy), cannot open: root hands the file over to that user.
void hand_to_directory_owner(int fd, const fs::path& directory) {
  struct stat file {};
  struct stat dir {};
  if (::geteuid() != 0 || ::fstat(fd, &file) != 0 || file.st_uid != 0 ||
      ::stat(directory.c_str(), &dir) != 0 || dir.st_uid == 0) {
    return;
  }
  if (::fchown(fd, dir.st_uid, dir.st_gid) != 0) {
    spdlog::debug("cannot hand the lock file in {} to uid {}: {}", directory.string(), dir.st_uid,
                  errno_text());
  }
}

// Polls for the lock on FD until it is ours or WAIT_SECONDS have passed; throws on timeout.
void wait_for_lock(int fd, const std::string& cluster, const fs::path& path, int wait_seconds) {
  const auto deadline = Clock::now() + std::chrono::seconds(wait_seconds);
  bool announced = false;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) {
      continue;
    }
    if (errno != EWOULDBLOCK) {
      throw Error(ExitCode::host_failed, "cannot lock " + path.string() + ": " + errno_text());
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      throw Error(ExitCode::host_failed, "another pgdeploy run of cluster " + cluster +
                                             " still holds " + path.string() + " (" + holder(fd) +
                                             ") after " + std::to_string(wait_seconds) +
                                             " s; nothing was done");
    }
    if (!announced) {
      spdlog::info("waiting for another pgdeploy run of cluster {} ({})", cluster, holder(fd));
      announced = true;
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(poll_interval, deadline - now));
  }
}

}  // namespace

std::vector<LockDirectoryCandidate> lock_directory_candidates() {
  std::vector<LockDirectoryCandidate> candidates{{"/run/pgdeploy", false}};
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime != nullptr && *runtime != 0) {
    candidates.push_back({fs::path(runtime) / "pgdeploy", true});
  }
  // Not $TMPDIR: a hook and a timer run may see different environments, and must find the same
  // lock file.
  candidates.push_back({"/tmp/pgdeploy-" + std::to_string(::geteuid()), true});
  return candidates;
}

fs::path lock_directory_from(const std::vector<LockDirectoryCandidate>& candidates) {
  std::string refusals;
  for (const LockDirectoryCandidate& candidate : candidates) {
    const std::string reason = refusal(candidate);
    if (reason.empty()) {
      return candidate.path;
    }
    spdlog::debug("lock directory {} {}", candidate.path.string(), reason);
    refusals += (refusals.empty() ? "" : "; ") + candidate.path.string() + " " + reason;
  }
  throw Error(ExitCode::host_failed, "no usable directory for lock files: " + refusals);
}

fs::path lock_directory() { return lock_directory_from(lock_directory_candidates()); }

RunLock RunLock::acquire(const std::string& cluster, int wait_seconds, const fs::path& directory) {
  fs::path path = directory / (cluster + ".lock");
  // O_NOFOLLOW: we truncate and write the file, so a planted symlink must not redirect that.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw Error(ExitCode::host_failed,
                "cannot open the lock file " + path.string() + ": " + errno_text());
  }
  hand_to_directory_owner(fd, directory);
  try {
    wait_for_lock(fd, cluster, path, std::max(wait_seconds, 0));
  } catch (...) {
    ::close(fd);
    throw;
  }
  // Truncate first: a shorter pid must not leave digits of a longer one behind.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // Only the waiting side's message suffers; the lock itself is held.
    spdlog::debug("cannot record our pid in {}: {}", path.string(), errno_text());
  }
  return {fd, std::move(path)};
}

RunLock::RunLock(int fd, fs::path path) : fd_(fd), owner_(::getpid()), path_(std::move(path)) {}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), owner_(other.owner_), path_(std::move(other.path_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    owner_ = other.owner_;
    path_ = std::move(other.path_);
  }
  return *this;
}

RunLock::~RunLock() { release(); }

void RunLock::release() noexcept {
  if (fd_ < 0) {
    return;
  }
  // Clear our pid so that a waiter never names a run that has ended. Only the process that
  // locked: a forked child shares the open file, and with it the lock.
  if (::getpid() == owner_) {
    [[maybe_unused]] const int ignored = ::ftruncate(fd_, 0);
  }
  // Closing, not LOCK_UN: an unlock through a descriptor a forked child inherited would release
  // the parent's lock too.
  ::close(fd_);
  fd_ = -1;
}

}  // namespace pgdeploy
