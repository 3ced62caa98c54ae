#include "util/run_lock.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/fakes.hpp"
#include "util/errors.hpp"

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What a loaded 2-core machine may add to a wait between a process being runnable and running:
// upper bounds on waits allow for it, lower bounds (the wait really happened) need none.
constexpr std::chrono::milliseconds scheduling_slack{5000};
using test::occurrences;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr mode_t permission_bits = 07777;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & permission_bits;
}

// True when PATH is locked through another open file description (ours or another process's).
bool is_locked(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  const bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return locked;
}

// Sets the process umask for one scope, so that modes are proven not to come from the umask.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : saved_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(saved_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t saved_;
};

// A forked child that waits for go() before running BODY, so that it is forked before the parent
// takes the lock: a child forked later would inherit the parent's descriptor, and with it the
// lock, which would then outlive the parent's release. BODY's return value is what the child
// reports; its exit status is 0 unless something escaped BODY.
class Child {
 public:
  explicit Child(const std::function<std::string()>& body) {
    int go[2];
    int report[2];
    EXPECT_EQ(::pipe(go), 0);
    EXPECT_EQ(::pipe(report), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(go[1]);
      ::close(report[0]);
      char byte = 0;
      int status = 1;
      if (::read(go[0], &byte, 1) == 1) {
        try {
          const std::string text = body();
          status = ::write(report[1], text.data(), text.size()) == static_cast<ssize_t>(text.size())
                       ? 0
                       : 1;
        } catch (...) {
          status = 2;
        }
      }
      ::_exit(status);  // no destructors or atexit handlers of the test binary in the child
    }
    ::close(go[0]);
    ::close(report[1]);
    go_ = go[1];
    report_ = report[0];
  }

  ~Child() {
    if (go_ >= 0) {
      ::close(go_);
    }
    if (report_ >= 0) {
      ::close(report_);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void go() {
    const char byte = 'g';
    EXPECT_EQ(::write(go_, &byte, 1), 1);
    ::close(go_);
    go_ = -1;
  }

  // What BODY returned; fails the test when the child did not exit with status 0.
  std::string finish() {
    std::string text;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(report_, buffer, sizeof buffer)) > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
    }
    int status = -1;
    EXPECT_EQ(::waitpid(pid_, &status, 0), pid_);
    pid_ = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    return text;
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  int report_ = -1;
};

class RunLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-lock-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  fs::path lock_file() const { return dir / "main.lock"; }

  fs::path dir;
};

// ---- RunLock ---------------------------------------------------------------------------------

TEST_F(RunLockTest, HoldsTheLockUntilDestroyed) {
  {
    const RunLock lock = RunLock::acquire("main", 0, dir);
    EXPECT_EQ(lock.path(), lock_file());
    EXPECT_TRUE(is_locked(lock_file()));
  }
  EXPECT_FALSE(is_locked(lock_file()));
  EXPECT_TRUE(fs::exists(lock_file())) << "deleting a lock file races with its next user";
}

TEST_F(RunLockTest, CanBeTakenAgainAfterRelease) {
  { const RunLock first = RunLock::acquire("main", 0, dir); }
  const RunLock second = RunLock::acquire("main", 0, dir);
  EXPECT_TRUE(is_locked(lock_file()));
}

TEST_F(RunLockTest, ClustersHaveSeparateLocks) {
  const RunLock main = RunLock::acquire("main", 0, dir);
  const RunLock other = RunLock::acquire("other_cluster-2", 0, dir);
  EXPECT_TRUE(fs::exists(dir / "other_cluster-2.lock"));
}

TEST_F(RunLockTest, RecordsOurPidWhileHeldAndClearsItOnRelease) {
  {
    const RunLock lock = RunLock::acquire("main", 0, dir);
    EXPECT_EQ(read_file(lock_file()), std::to_string(::getpid()) + "\n");
  }
  EXPECT_THAT(read_file(lock_file()), IsEmpty());
}

TEST_F(RunLockTest, ReplacesALongerStalePid) {
  write_file(lock_file(), "123456789012\n");
  const RunLock lock = RunLock::acquire("main", 0, dir);
  EXPECT_EQ(read_file(lock_file()), std::to_string(::getpid()) + "\n");
}

TEST_F(RunLockTest, LockFileIsReadableByAllWhateverTheUmask) {
  for (const mode_t mask : {00, 077}) {
    const ScopedUmask umask(mask);
    { const RunLock lock = RunLock::acquire("main", 0, dir); }
    EXPECT_EQ(mode_of(lock_file()), 0644U) << "umask " << mask;
    fs::remove(lock_file());
  }
}

TEST_F(RunLockTest, AnotherUserLocksARootLockFileThroughAReadOnlyDescriptor) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "only root can run as another user";
  }
  fs::permissions(dir, fs::perms::all | fs::perms::sticky_bit);
  Child nobody([this] {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      return std::string("cannot become nobody");
    }
    try {
      RunLock::acquire("main", 0, dir);
      return std::string("got a lock that root holds");
    } catch (const Error& e) {
      return std::string(e.what());
    }
  });
  const RunLock held = RunLock::acquire("main", 0, dir);
  nobody.go();
  // Contended on the same file, rather than failing to open it.
  EXPECT_THAT(nobody.finish(), HasSubstr("still holds " + lock_file().string() + " (pid " +
                                         std::to_string(::getpid()) + ")"));
}

TEST_F(RunLockTest, RootHandsTheLockFileToTheOwnerOfTheDirectory) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "only root can create a file for another user";
  }
  ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
  const RunLock lock = RunLock::acquire("main", 0, dir);
  struct stat st {};
  ASSERT_EQ(::stat(lock_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534U);
  EXPECT_EQ(st.st_mode & permission_bits, 0644U);
  EXPECT_EQ(read_file(lock_file()), std::to_string(::getpid()) + "\n");
}

TEST_F(RunLockTest, MoveTransfersTheLock) {
  RunLock first = RunLock::acquire("main", 0, dir);
  {
    const RunLock second(std::move(first));
    EXPECT_TRUE(is_locked(lock_file()));
  }
  EXPECT_FALSE(is_locked(lock_file()));
}

TEST_F(RunLockTest, MoveAssignmentReleasesTheLockItHeld) {
  RunLock main = RunLock::acquire("main", 0, dir);
  main = RunLock::acquire("other", 0, dir);
  EXPECT_FALSE(is_locked(lock_file()));
  EXPECT_TRUE(is_locked(dir / "other.lock"));
}

TEST_F(RunLockTest, WaitZeroTriesOnceAndFailsAtOnce) {
  // flock conflicts between two open file descriptions even within one process.
  const RunLock held = RunLock::acquire("main", 0, dir);
  const auto started = Clock::now();
  try {
    RunLock::acquire("main", 0, dir);
    FAIL() << "a held lock was acquired twice";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::lock_busy);
    EXPECT_THAT(e.what(), HasSubstr("(pid " + std::to_string(::getpid()) + ") after 0 s"));
  }
  // Trying once takes microseconds; the bound only separates that from a wait for the holder,
  // who holds the lock until the end of the test, on a machine that may be loaded.
  EXPECT_LT(Clock::now() - started, scheduling_slack);
  EXPECT_TRUE(is_locked(lock_file()));
  EXPECT_EQ(read_file(lock_file()), std::to_string(::getpid()) + "\n")
      << "the failed attempt must leave the holder's pid alone";
}

TEST_F(RunLockTest, SecondRunTimesOutNamingTheHolder) {
  const fs::path directory = dir;
  Child child([directory] {
    std::ostringstream log;
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(log));
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
    const auto started = Clock::now();
    try {
      RunLock::acquire("main", 1, directory);
      return std::string("acquired while the parent held the lock");
    } catch (const Error& e) {
      const auto waited =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      return "exit " + std::to_string(static_cast<int>(e.exit_code())) + "\nwaited " +
             std::to_string(waited.count()) + "\nerror " + e.what() + "\n" + log.str();
    }
  });
  const RunLock held = RunLock::acquire("main", 0, dir);
  child.go();
  const std::string report = child.finish();

  const std::string pid = std::to_string(::getpid());
  EXPECT_THAT(report, HasSubstr("exit 5\n"));
  EXPECT_THAT(report,
              HasSubstr("error another pgdeploy run of cluster main still holds " +
                        lock_file().string() + " (pid " + pid + ") after 1 s; nothing was done\n"));
  EXPECT_EQ(occurrences(report, "info waiting for another pgdeploy run of cluster main (pid " +
                                    pid + ")\n"),
            1U)
      << report;
  const auto waited_at = report.find("waited ");
  ASSERT_NE(waited_at, std::string::npos) << report;
  const long waited_ms = std::strtol(report.c_str() + waited_at + 7, nullptr, 10);
  EXPECT_GE(waited_ms, 1000);
  // The parent holds the lock until the child ends: a wait not cut at 1 s would never end.
  EXPECT_LT(waited_ms, 1000 + scheduling_slack.count());
}

TEST_F(RunLockTest, SecondRunStartsAfterTheFirstAndSeesItsState) {
  const fs::path directory = dir;
  const fs::path state = dir / "state";
  write_file(state, "before the first run\n");
  Child child([directory, state] {
    spdlog::set_level(spdlog::level::warn);  // keep the test's output clean
    const auto started = Clock::now();
    write_file(directory / "child_waits", "");
    const RunLock lock = RunLock::acquire("main", 10, directory);
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    return "waited " + std::to_string(waited.count()) + "\nstate " + read_file(state) + "pid " +
           read_file(lock.path());
  });
  {
    const RunLock held = RunLock::acquire("main", 0, dir);
    child.go();
    // The child's wait starts when it runs, which a loaded machine may delay: hold the lock
    // 300 ms from then.
    const auto give_up = Clock::now() + scheduling_slack;
    while (!fs::exists(dir / "child_waits") && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    write_file(state, "after the first run\n");
  }
  const std::string report = child.finish();

  EXPECT_THAT(report, HasSubstr("\nstate after the first run\n"));
  EXPECT_THAT(report, Not(HasSubstr("pid " + std::to_string(::getpid()))));
  const auto waited_at = report.find("waited ");
  ASSERT_NE(waited_at, std::string::npos) << report;
  EXPECT_GE(std::strtol(report.c_str() + waited_at + 7, nullptr, 10), 200) << report;
}

TEST_F(RunLockTest, RefusesASymlinkedLockFile) {
  const fs::path victim = dir / "victim";
  write_file(victim, "precious\n");
  fs::create_symlink(victim, lock_file());
  try {
    RunLock::acquire("main", 0, dir);
    FAIL() << "followed a symlink";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("cannot open the lock file " + lock_file().string()));
  }
  EXPECT_EQ(read_file(victim), "precious\n");
}

TEST_F(RunLockTest, MissingDirectoryIsAnError) {
  try {
    RunLock::acquire("main", 0, dir / "missing");
    FAIL() << "locked in a directory that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr((dir / "missing" / "main.lock").string()));
  }
}

// ---- lock_directory ------------------------------------------------------------------

using RunLockDirectoryTest = RunLockTest;

// Sets or unsets XDG_RUNTIME_DIR for one scope.
class ScopedRuntimeDir {
 public:
  explicit ScopedRuntimeDir(const char* value) {
    if (const char* old = std::getenv("XDG_RUNTIME_DIR")) {
      saved_ = old;
    }
    if (value != nullptr) {
      ::setenv("XDG_RUNTIME_DIR", value, 1);
    } else {
      ::unsetenv("XDG_RUNTIME_DIR");
    }
  }
  ~ScopedRuntimeDir() {
    if (saved_) {
      ::setenv("XDG_RUNTIME_DIR", saved_->c_str(), 1);
    } else {
      ::unsetenv("XDG_RUNTIME_DIR");
    }
  }
  ScopedRuntimeDir(const ScopedRuntimeDir&) = delete;
  ScopedRuntimeDir& operator=(const ScopedRuntimeDir&) = delete;

 private:
  std::optional<std::string> saved_;
};

TEST(RunLockDirectoryDefault, IsRunPgdeploy) {
  EXPECT_EQ(fs::path(default_lock_directory), fs::path("/run/pgdeploy"));
}

TEST_F(RunLockDirectoryTest, AChosenDirectoryIsUsedAsGiven) {
  EXPECT_EQ(lock_directory(dir / "chosen", dir / "standard"), dir / "chosen");
  EXPECT_FALSE(fs::exists(dir / "standard"));
}

TEST_F(RunLockDirectoryTest, TheStandardOneDoesNotDependOnTheEnvironment) {
  fs::create_directory(dir / "runtime");
  for (const char* runtime : {static_cast<const char*>(nullptr), "", "/nonexistent"}) {
    const ScopedRuntimeDir scoped(runtime);
    EXPECT_EQ(lock_directory(std::nullopt, dir / "standard"), dir / "standard");
  }
  const ScopedRuntimeDir scoped((dir / "runtime").c_str());
  EXPECT_EQ(lock_directory(std::nullopt, dir / "standard"), dir / "standard");
  EXPECT_TRUE(fs::is_empty(dir / "runtime"));
}

TEST_F(RunLockDirectoryTest, AMissingStandardOneIsCreatedStickyAndOpenToAll) {
  const ScopedUmask strict(077);
  EXPECT_EQ(lock_directory(std::nullopt, dir / "standard"), dir / "standard");
  EXPECT_EQ(mode_of(dir / "standard"), 01777U);
}

TEST_F(RunLockDirectoryTest, AnExistingStandardOneKeepsItsMode) {
  fs::create_directory(dir / "standard");
  fs::permissions(dir / "standard", fs::perms::owner_all | fs::perms::group_read |
                                        fs::perms::group_exec | fs::perms::others_read |
                                        fs::perms::others_exec);
  EXPECT_EQ(lock_directory(std::nullopt, dir / "standard"), dir / "standard");
  EXPECT_EQ(mode_of(dir / "standard"), 0755U);
}

TEST_F(RunLockDirectoryTest, AStandardOneThatCannotBeCreatedIsAnErrorNamingTheOption) {
  try {
    lock_directory(std::nullopt, dir / "missing" / "standard");
    FAIL() << "no directory";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("cannot create the lock directory " +
                                    (dir / "missing" / "standard").string()));
    EXPECT_THAT(e.what(), HasSubstr("--lock-dir"));
  }
}

TEST_F(RunLockDirectoryTest, AStandardOneThatIsAFileIsAnError) {
  write_file(dir / "standard", "");
  try {
    lock_directory(std::nullopt, dir / "standard");
    FAIL() << "a file";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir / "standard").string() + " is not a directory"));
  }
}

}  // namespace
}  // namespace pgdeploy
