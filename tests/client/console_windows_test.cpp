// SPDX-License-Identifier: MIT
// prepare_console() with the standard streams pointed somewhere known for
// the length of one call: a file or no handle at all is no
// terminal and gets no colour.
#include "client/platform/console.hpp"

#include <gtest/gtest.h>

#include <windows.h>

#include <cstdio>

namespace reachback::client::platform {
namespace {

// Points the standard output and error handles at `target` until destroyed.
class redirected_streams {
 public:
  explicit redirected_streams(HANDLE target)
      : saved_out_(::GetStdHandle(STD_OUTPUT_HANDLE)),
        saved_err_(::GetStdHandle(STD_ERROR_HANDLE)) {
    ok_ = ::SetStdHandle(STD_OUTPUT_HANDLE, target) != 0 &&
          ::SetStdHandle(STD_ERROR_HANDLE, target) != 0;
  }
  ~redirected_streams() {
    ::SetStdHandle(STD_OUTPUT_HANDLE, saved_out_);
    ::SetStdHandle(STD_ERROR_HANDLE, saved_err_);
  }
  redirected_streams(const redirected_streams&) = delete;
  redirected_streams& operator=(const redirected_streams&) = delete;
  [[nodiscard]] bool ok() const noexcept { return ok_; }

 private:
  HANDLE saved_out_;
  HANDLE saved_err_;
  bool ok_ = false;
};

TEST(prepare_console, a_file_is_no_terminal) {
  const HANDLE null = ::CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_WRITE, nullptr,
                                    OPEN_EXISTING, 0, nullptr);
  ASSERT_NE(null, INVALID_HANDLE_VALUE);
  console_caps caps;
  {
    const redirected_streams streams(null);
    ASSERT_TRUE(streams.ok());
    caps = prepare_console();
  }
  ::CloseHandle(null);
  EXPECT_FALSE(caps.stdout_terminal);
  EXPECT_FALSE(caps.stderr_terminal);
  EXPECT_FALSE(caps.ansi);
}

TEST(prepare_console, no_standard_handles_is_no_terminal) {
  // A GUI-subsystem parent may start us with no standard handles at all.
  console_caps caps;
  {
    const redirected_streams streams(nullptr);
    ASSERT_TRUE(streams.ok());
    caps = prepare_console();
  }
  EXPECT_FALSE(caps.stdout_terminal);
  EXPECT_FALSE(caps.stderr_terminal);
  EXPECT_FALSE(caps.ansi);
}

}  // namespace
}  // namespace reachback::client::platform
