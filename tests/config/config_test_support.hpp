// SPDX-License-Identifier: MIT
#pragma once
// Shared by the config tests: catching a config_error's message, table-test
// cases with readable names, and a scratch directory for file loading.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>

#include "config/config_error.hpp"

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

/// A fresh directory under the system temp directory, removed with its contents.
class scratch_dir {
 public:
  scratch_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("reachback-config-test-" + std::to_string(std::random_device{}()) + "-" +
             std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  /// The directory itself.
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// Writes `text` to `name` in the directory and returns its path.
  std::filesystem::path write(std::string_view name, std::string_view text) const {
    auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace reachback::config::test
