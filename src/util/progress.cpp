#include "util/progress.hpp"

#include <unistd.h>

#include <string_view>

namespace pgdeploy {
namespace {

constexpr auto redraw_interval = std::chrono::milliseconds(100);

// Carriage return and "erase to the end of the line": the next text starts a clean line.
constexpr std::string_view erase_line = "\r\033[K";

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written <= 0) {
      return;  // progress is a courtesy: never a reason to fail
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

Progress::Progress(std::string what, std::size_t total, int fd)
    : what_(std::move(what)), total_(total), fd_(::isatty(fd) == 1 ? fd : -1) {
  if (fd_ >= 0 && total_ > 0) {
    draw();
  }
}

Progress::~Progress() {
  if (fd_ >= 0 && total_ > 0) {
    write_all(fd_, erase_line);
  }
}

void Progress::step() {
  if (fd_ < 0) {
    return;
  }
  const std::lock_guard lock(mutex_);
  ++done_;
  if (done_ == total_ || std::chrono::steady_clock::now() - drawn_ >= redraw_interval) {
    draw();
  }
}

void Progress::draw() {
  write_all(fd_, std::string(erase_line) + std::to_string(done_) + "/" + std::to_string(total_) +
                     " " + what_);
  drawn_ = std::chrono::steady_clock::now();
}

}  // namespace pgdeploy
