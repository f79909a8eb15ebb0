// SPDX-License-Identifier: MIT
#pragma once
// Shared by the config tests: catching a config_error's message, table-test
// cases with readable names, and a scratch directory for file loading.

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "config/config_error.hpp"
#include "tests/support/scratch_dir.hpp"

namespace reachback::config::test {

/// The what() of the config_error that `action` throws, or "" (and a failure).
inline std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const config_error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a config_error";
  return {};
}

/// One table-test case: TOML text and the exact error it must give.
struct error_case {
  std::string name;  ///< the test's name suffix
  std::string toml;
  std::string message;
  /// Keeps gtest from printing the case as a byte dump.
  friend std::ostream& operator<<(std::ostream& out, const error_case& c) { return out << c.name; }
};

/// Names parameterized tests after error_case::name.
inline std::string case_name(const ::testing::TestParamInfo<error_case>& info) {
  return info.param.name;
}

/// A fresh directory, removed with its contents (tests/support/scratch_dir.hpp).
using reachback::test::scratch_dir;

}  // namespace reachback::config::test
