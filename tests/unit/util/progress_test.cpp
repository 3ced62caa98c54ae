#include "util/progress.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace pgdeploy {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A pseudo-terminal: what is written to `terminal` can be read from `reader`.
struct PseudoTerminal {
  PseudoTerminal() {
    reader = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (reader < 0 || ::grantpt(reader) != 0 || ::unlockpt(reader) != 0) {
      return;
    }
    terminal = ::open(::ptsname(reader), O_RDWR | O_NOCTTY);
  }
  ~PseudoTerminal() {
    ::close(terminal);
    ::close(reader);
  }
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  // Everything written so far.
  std::string written() const {
    std::string text;
    pollfd ready{reader, POLLIN, 0};
    char buffer[256];
    while (::poll(&ready, 1, 50) == 1) {
      const ssize_t n = ::read(reader, buffer, sizeof buffer);
      if (n <= 0) {
        break;
      }
      text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
  }

  int reader = -1;
  int terminal = -1;
};

TEST(Progress, OnATerminalCountsUpToTheLastAndErasesTheLine) {
  PseudoTerminal pty;
  ASSERT_GE(pty.terminal, 0) << "no pseudo-terminal";
  {
    Progress progress("app servers answered", 3, pty.terminal);
    progress.step();
    progress.step();
    progress.step();
  }
  const std::string text = pty.written();
  EXPECT_THAT(text, StartsWith("\r\033[K0/3 app servers answered"));
  EXPECT_THAT(text, HasSubstr("\r\033[K3/3 app servers answered")) << "the last is always drawn";
  EXPECT_THAT(text, EndsWith("\r\033[K")) << "the line is left clean for what follows";
}

TEST(Progress, ElsewhereWritesNothing) {
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  {
    Progress progress("app servers answered", 2, pipe_ends[1]);
    progress.step();
    progress.step();
  }
  ::close(pipe_ends[1]);
  char byte = 0;
  EXPECT_EQ(::read(pipe_ends[0], &byte, 1), 0) << "a pipe gets not one byte";
  ::close(pipe_ends[0]);
}

TEST(Progress, NoHostsDrawsNothing) {
  PseudoTerminal pty;
  ASSERT_GE(pty.terminal, 0);
  { Progress progress("app servers answered", 0, pty.terminal); }
  EXPECT_EQ(pty.written(), "");
}

}  // namespace
}  // namespace pgdeploy
