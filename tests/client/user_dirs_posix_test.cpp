// SPDX-License-Identifier: MIT
// The config directory by the XDG rules, from an injected environment.
#include "client/platform/user_dirs.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "user_dirs_cases.hpp"

namespace reachback::client::platform {
namespace {

using test::dir_case;
using test::user_config_dir_table;
using test::user_state_dir_table;

const std::vector<dir_case> dir_cases = {
    {"prefers_xdg_config_home", {{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/home/user"}},
     "/xdg/reachback"},
    {"falls_back_to_home_dot_config", {{"HOME", "/home/user"}}, "/home/user/.config/reachback"},
    {"ignores_empty_xdg_config_home", {{"XDG_CONFIG_HOME", ""}, {"HOME", "/home/user"}},
     "/home/user/.config/reachback"},
    {"ignores_relative_xdg_config_home",
     {{"XDG_CONFIG_HOME", "relative/dir"}, {"HOME", "/home/user"}},
     "/home/user/.config/reachback"},
    {"xdg_alone_is_enough", {{"XDG_CONFIG_HOME", "/xdg"}}, "/xdg/reachback"},
    {"none_with_neither_variable", {}, std::nullopt},
    {"none_with_empty_home", {{"HOME", ""}}, std::nullopt},
    {"appdata_means_nothing_here", {{"APPDATA", "/appdata"}}, std::nullopt},
};

const std::vector<dir_case> state_dir_cases = {
    {"prefers_xdg_state_home", {{"XDG_STATE_HOME", "/xdg-state"}, {"HOME", "/home/user"}},
     "/xdg-state/reachback"},
    {"falls_back_to_home_dot_local_state", {{"HOME", "/home/user"}}, "/home/user/.local/state/reachback"},
    {"ignores_empty_xdg_state_home", {{"XDG_STATE_HOME", ""}, {"HOME", "/home/user"}},
     "/home/user/.local/state/reachback"},
    {"ignores_relative_xdg_state_home", {{"XDG_STATE_HOME", "state"}, {"HOME", "/home/user"}},
     "/home/user/.local/state/reachback"},
    {"xdg_config_home_is_not_state", {{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/home/user"}},
     "/home/user/.local/state/reachback"},
    {"no_state_dir_without_variables", {}, std::nullopt},
    {"localappdata_means_nothing_here", {{"LOCALAPPDATA", "/local"}}, std::nullopt},
};

TEST(process_env, reads_this_process_environment) {
  ASSERT_EQ(::setenv("REACHBACK_USER_DIRS_TEST", "value ü", 1), 0);
  EXPECT_EQ(process_env("REACHBACK_USER_DIRS_TEST"), "value ü");
  ASSERT_EQ(::setenv("REACHBACK_USER_DIRS_TEST", "", 1), 0);
  EXPECT_EQ(process_env("REACHBACK_USER_DIRS_TEST"), "");  // set but empty is not unset
  ASSERT_EQ(::unsetenv("REACHBACK_USER_DIRS_TEST"), 0);
  EXPECT_EQ(process_env("REACHBACK_USER_DIRS_TEST"), std::nullopt);
}

TEST(user_config_dir, reads_the_process_environment_by_default) {
  const auto saved = process_env("XDG_CONFIG_HOME");
  ASSERT_EQ(::setenv("XDG_CONFIG_HOME", "/from/the/process", 1), 0);
  const auto dir = user_config_dir();
  if (saved) {
    ::setenv("XDG_CONFIG_HOME", saved->c_str(), 1);
  } else {
    ::unsetenv("XDG_CONFIG_HOME");
  }
  EXPECT_EQ(dir, std::filesystem::path("/from/the/process/reachback"));
}

INSTANTIATE_TEST_SUITE_P(cases, user_config_dir_table, testing::ValuesIn(dir_cases),
                         [](const auto& test_info) { return test_info.param.name; });

INSTANTIATE_TEST_SUITE_P(cases, user_state_dir_table, testing::ValuesIn(state_dir_cases),
                         [](const auto& test_info) { return test_info.param.name; });

}  // namespace
}  // namespace reachback::client::platform
