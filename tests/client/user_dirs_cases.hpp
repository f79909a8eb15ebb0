// SPDX-License-Identifier: MIT
#pragma once
// The user_config_dir and user_state_dir table tests: one case, an injected environment and the
// parameterized test itself. Each OS's test file lists the cases for its own
// rules as `dir_cases` (and `state_dir_cases`) and instantiates the tables; as
// this header defines a test, one file per test binary includes it.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "client/platform/user_dirs.hpp"

namespace reachback::client::platform::test {

using fake_env = std::map<std::string, std::string>;

/// An env_lookup that sees only `variables`.
inline env_lookup lookup_in(fake_env variables) {
  return [variables = std::move(variables)](const char* name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

/// An environment and the directory it must give.
struct dir_case {
  std::string name;
  fake_env env;
  std::optional<std::filesystem::path> expected;
  friend void PrintTo(const dir_case& c, std::ostream* os) { *os << c.name; }
};

/// The table of dir_case: instantiate it with the OS's cases.
class user_config_dir_table : public testing::TestWithParam<dir_case> {};

TEST_P(user_config_dir_table, gives_the_directory) {
  EXPECT_EQ(user_config_dir(lookup_in(GetParam().env)), GetParam().expected);
}

/// The table of dir_case for user_state_dir: instantiate it with the OS's cases.
class user_state_dir_table : public testing::TestWithParam<dir_case> {};

TEST_P(user_state_dir_table, gives_the_directory) {
  EXPECT_EQ(user_state_dir(lookup_in(GetParam().env)), GetParam().expected);
}

}  // namespace reachback::client::platform::test
