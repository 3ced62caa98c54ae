#include "util/run_lock.hpp"

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

#include "util/errors.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto poll_interval = std::chrono::milliseconds(20);

std::string errno_text() { return std::strerror(errno); }

// Creates DIRECTORY sticky and writable by all when missing, whatever the umask: the next run
// may be another user's. Throws unless it is a directory afterwards.
void ensure_shared_directory(const fs::path& directory) {
  const char* path = directory.c_str();
  if (::mkdir(path, 0700) == 0) {
    if (::chmod(path, 01777) != 0) {
      throw usage_error("cannot open up the lock directory " + directory.string() + ": " +
                        errno_text());
    }
  } else if (errno != EEXIST) {
    throw usage_error("cannot create the lock directory " + directory.string() + ": " +
                      errno_text() + " (or choose one with --lock-dir)");
  }
  struct stat st {};
  if (::stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw usage_error("the lock directory " + directory.string() + " is not a directory");
  }
}

// Opens the lock file PATH, creating it when missing. O_NOFOLLOW: we truncate and write the file,
// so a planted symlink must not redirect that. O_CREAT only with O_EXCL: with
// fs.protected_regular, opening another user's file in a sticky directory with O_CREAT fails,
// even for root. Returns -1 with errno set on failure.
int open_lock_file(const fs::path& path) {
  constexpr int flags = O_CLOEXEC | O_NOFOLLOW;
  for (;;) {
    if (const int fd = ::open(path.c_str(), O_RDWR | flags); fd >= 0 || errno != ENOENT) {
      // Another user's file, root's say, is still ours to lock: flock needs no write access.
      return fd >= 0 || errno != EACCES ? fd : ::open(path.c_str(), O_RDONLY | flags);
    }
    if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | flags, 0644); fd >= 0) {
      // Readable by all whatever the umask, so that a run as another user can open it to lock.
      if (::fchmod(fd, 0644) != 0) {
        spdlog::debug("cannot make {} readable by all: {}", path.string(), errno_text());
      }
      return fd;
    }
    if (errno != EEXIST) {
      return -1;
    }
  }
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
      throw usage_error("cannot lock " + path.string() + ": " + errno_text());
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      throw Error(ExitCode::lock_busy, "another pgdeploy run of cluster " + cluster +
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

fs::path lock_directory(const std::optional<fs::path>& chosen, const fs::path& standard) {
  if (chosen) {
    return *chosen;  // the operator's choice, for tests and special setups: used as given
  }
  ensure_shared_directory(standard);
  return standard;
}

RunLock RunLock::acquire(const std::string& cluster, int wait_seconds, const fs::path& directory) {
  fs::path path = directory / (cluster + ".lock");
  const int fd = open_lock_file(path);
  if (fd < 0) {
    throw usage_error("cannot open the lock file " + path.string() + ": " + errno_text());
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
