#include "util/descriptors.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pgdeploy {
namespace {

long soft_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return -1;
  }
  return static_cast<long>(limit.rlim_cur);
}

}  // namespace

long raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      spdlog::debug("raised the open files limit from {} to {}", before, limit.rlim_max);
    } else {
      spdlog::debug("cannot raise the open files limit from {}: {}", before, std::strerror(errno));
    }
  }
  return soft_limit();
}

int jobs_within(int jobs, long limit) {
  if (limit < 0) {
    return jobs;  // unlimited
  }
  const long fitting = std::max(1L, (limit - reserved_descriptors) / descriptors_per_host);
  return static_cast<int>(std::min<long>(jobs, fitting));
}

bool out_of_descriptors() {
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno == EMFILE;
  }
  ::close(fd);
  return false;
}

std::string out_of_descriptors_text() {
  return "out of file descriptors (RLIMIT_NOFILE " + std::to_string(soft_limit()) + ")";
}

}  // namespace pgdeploy
