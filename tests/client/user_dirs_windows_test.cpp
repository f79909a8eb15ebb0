// SPDX-License-Identifier: MIT
// The config directory from %APPDATA%, from an injected and the real environment.
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
    {"appdata_reachback",
     {{"APPDATA", "C:\\Users\\alex\\AppData\\Roaming"}},
     std::filesystem::path(L"C:\\Users\\alex\\AppData\\Roaming\\reachback")},
    // UTF-8 in, so the path must come from UTF-16 and not the ANSI code page.
    {"non_ascii_user_name",
     {{"APPDATA", "C:\\Users\\Zo\xc3\xab \xe5\xa4\xaa\xe9\x83\x8e\\AppData\\Roaming"}},
     std::filesystem::path(L"C:\\Users\\Zo\u00eb \u592a\u90ce\\AppData\\Roaming\\reachback")},
    {"xdg_and_home_mean_nothing_here",
     {{"XDG_CONFIG_HOME", "C:\\xdg"}, {"HOME", "C:\\Users\\alex"}},
     std::nullopt},
    {"none_without_appdata", {}, std::nullopt},
    {"none_with_empty_appdata", {{"APPDATA", ""}}, std::nullopt},
    {"none_with_relative_appdata", {{"APPDATA", "AppData\\Roaming"}}, std::nullopt},
};

const std::vector<dir_case> state_dir_cases = {
    {"localappdata_reachback",
     {{"LOCALAPPDATA", "C:\\Users\\alex\\AppData\\Local"}},
     std::filesystem::path(L"C:\\Users\\alex\\AppData\\Local\\reachback")},
    {"appdata_is_not_state", {{"APPDATA", "C:\\Users\\alex\\AppData\\Roaming"}}, std::nullopt},
    {"none_with_relative_localappdata", {{"LOCALAPPDATA", "AppData\\Local"}}, std::nullopt},
    {"none_with_empty_localappdata", {{"LOCALAPPDATA", ""}}, std::nullopt},
};

TEST(process_env, reads_the_wide_environment_as_utf8) {
  ASSERT_EQ(::_wputenv_s(L"REACHBACK_USER_DIRS_TEST", L"Zo\u00eb \u592a\u90ce"), 0);
  EXPECT_EQ(process_env("REACHBACK_USER_DIRS_TEST"), "Zo\xc3\xab \xe5\xa4\xaa\xe9\x83\x8e");
  // Windows has no set-but-empty variable: assigning "" removes it.
  ASSERT_EQ(::_wputenv_s(L"REACHBACK_USER_DIRS_TEST", L""), 0);
  EXPECT_EQ(process_env("REACHBACK_USER_DIRS_TEST"), std::nullopt);
}

TEST(user_config_dir, reads_the_process_environment_by_default) {
  const wchar_t* before = ::_wgetenv(L"APPDATA");
  const std::wstring saved = before != nullptr ? before : L"";
  ASSERT_EQ(::_wputenv_s(L"APPDATA", L"D:\\Profiles\\Zo\u00eb"), 0);
  const auto dir = user_config_dir();
  ::_wputenv_s(L"APPDATA", saved.c_str());
  EXPECT_EQ(dir, std::filesystem::path(L"D:\\Profiles\\Zo\u00eb\\reachback"));
}

INSTANTIATE_TEST_SUITE_P(cases, user_config_dir_table, testing::ValuesIn(dir_cases),
                         [](const auto& test_info) { return test_info.param.name; });

INSTANTIATE_TEST_SUITE_P(cases, user_state_dir_table, testing::ValuesIn(state_dir_cases),
                         [](const auto& test_info) { return test_info.param.name; });

}  // namespace
}  // namespace reachback::client::platform
