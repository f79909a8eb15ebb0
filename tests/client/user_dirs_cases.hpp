// SPDX-License-Identifier: MIT
#pragma once
// One case of the user_config_dir table and an injected environment: each
// OS's test file lists the cases for its own rules.

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

}  // namespace reachback::client::platform::test
