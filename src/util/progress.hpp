#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace pgdeploy {

// "3/200 app servers answered", on one line of a terminal, rewritten as the count grows and
// erased at the end: a slow fleet is seen to be answering. Writes nothing when FD is not a
// terminal (a pipe, a file, the journal), so reports and logs stay as they are.
class Progress {
 public:
  Progress(std::string what, std::size_t total, int fd);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // One more done. Safe from several threads at once; redraws at most every 100 ms, and
  // always for the last one.
  void step();

 private:
  void draw();

  std::string what_;
  std::size_t total_;
  int fd_;  // -1: not a terminal, nothing drawn
  std::mutex mutex_;
  std::size_t done_ = 0;
  std::chrono::steady_clock::time_point drawn_;
};

}  // namespace pgdeploy
