#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "util/errors.hpp"

namespace pgdeploy {
namespace {

// Writes all of CONTENT to FD; false (errno set) when it cannot.
bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// Makes the rename in PATH's directory durable; a failure only weakens that, the file is in place.
void sync_directory(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content, mode_t mode,
                           bool durable) {
  const std::string temporary = path.string() + ".new." + std::to_string(::getpid());
  const auto fail = [&](const char* step) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    return Error(ExitCode::usage, "cannot write " + path.string() + ": " + step + ": " + reason);
  };
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    throw fail("create");
  }
  const bool written =
      write_all(fd, content) && ::fchmod(fd, mode) == 0 && (!durable || ::fsync(fd) == 0);
  const int saved = errno;
  if (::close(fd) != 0 || !written) {
    errno = written ? errno : saved;
    throw fail("write");
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    throw fail("rename");
  }
  if (durable) {
    sync_directory(path);
  }
}

}  // namespace pgdeploy
