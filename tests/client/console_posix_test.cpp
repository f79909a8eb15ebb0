// SPDX-License-Identifier: MIT
// prepare_console() with the standard streams pointed somewhere known for
// the length of one call: a file is no terminal and gets no colour;
// a pseudo-terminal is one and gets colour.
#include "client/platform/console.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>

namespace reachback::client::platform {
namespace {

// Points fd 1 and 2 at `target` until destroyed.
class redirected_streams {
 public:
  explicit redirected_streams(int target)
      : saved_out_(::dup(STDOUT_FILENO)), saved_err_(::dup(STDERR_FILENO)) {
    std::fflush(stdout);
    std::fflush(stderr);
    ok_ = saved_out_ >= 0 && saved_err_ >= 0 && ::dup2(target, STDOUT_FILENO) >= 0 &&
          ::dup2(target, STDERR_FILENO) >= 0;
  }
  ~redirected_streams() {
    ::dup2(saved_out_, STDOUT_FILENO);
    ::dup2(saved_err_, STDERR_FILENO);
    ::close(saved_out_);
    ::close(saved_err_);
  }
  redirected_streams(const redirected_streams&) = delete;
  redirected_streams& operator=(const redirected_streams&) = delete;
  [[nodiscard]] bool ok() const noexcept { return ok_; }

 private:
  int saved_out_;
  int saved_err_;
  bool ok_ = false;
};

TEST(prepare_console, a_file_is_no_terminal) {
  const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(null, 0);
  console_caps caps;
  {
    const redirected_streams streams(null);
    ASSERT_TRUE(streams.ok());
    caps = prepare_console();
  }
  ::close(null);
  EXPECT_FALSE(caps.stdout_terminal);
  EXPECT_FALSE(caps.stderr_terminal);
  EXPECT_FALSE(caps.ansi);
}

TEST(prepare_console, a_terminal_gets_colour) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  const int terminal = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(terminal, 0);
  console_caps caps;
  {
    const redirected_streams streams(terminal);
    ASSERT_TRUE(streams.ok());
    caps = prepare_console();
  }
  ::close(terminal);
  ::close(master);
  EXPECT_TRUE(caps.stdout_terminal);
  EXPECT_TRUE(caps.stderr_terminal);
  EXPECT_TRUE(caps.ansi);
}

}  // namespace
}  // namespace reachback::client::platform
